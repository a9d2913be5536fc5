#if canImport(Security) && canImport(LocalAuthentication) && os(iOS)
import Foundation
import LocalAuthentication
import Security
import Aktiver

/// The device keys in the Secure Enclave: P-256, created inside it, never
/// exportable. A biometric-bound key asks for Face ID or Touch ID on every
/// signature and is invalidated when the enrolled biometrics change
/// (`biometryCurrentSet`). The core calls these from its own threads; the
/// biometric prompt blocks that thread, never the main one.
///
/// The app needs `NSFaceIDUsageDescription`. The simulator has no Secure
/// Enclave: `create` fails there with `Unavailable`.
public final class SecureEnclaveKeys: DeviceKeys, @unchecked Sendable {
    private let tagPrefix: String
    private let reason: String
    // The context of the signature in progress, guarded by `lock`: `cancel`
    // invalidates it, which dismisses its biometric prompt.
    private let lock = NSLock()
    private var signing: LAContext?

    /// - Parameters:
    ///   - tagPrefix: namespace of the keys' application tags in the keychain.
    ///   - reason: shown in the biometric prompt when a bound key signs.
    public init(tagPrefix: String = "no.aktiver.key.", reason: String) {
        self.tagPrefix = tagPrefix
        self.reason = reason
    }

    private func tag(_ alias: String) -> Data { Data((tagPrefix + alias).utf8) }

    public func create(alias: String, biometric: Bool) throws -> Data {
        try delete(alias: alias)
        var flags: SecAccessControlCreateFlags = [.privateKeyUsage]
        if biometric { flags.insert(.biometryCurrentSet) }
        var error: Unmanaged<CFError>?
        guard let access = SecAccessControlCreateWithFlags(
            kCFAllocatorDefault, kSecAttrAccessibleWhenUnlockedThisDeviceOnly, flags, &error
        ) else {
            throw Self.failure(error?.takeRetainedValue(), "access control")
        }
        let attributes: [String: Any] = [
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecAttrKeySizeInBits as String: 256,
            kSecAttrTokenID as String: kSecAttrTokenIDSecureEnclave,
            kSecPrivateKeyAttrs as String: [
                kSecAttrIsPermanent as String: true,
                kSecAttrApplicationTag as String: tag(alias),
                kSecAttrAccessControl as String: access,
            ] as [String: Any],
        ]
        guard let key = SecKeyCreateRandomKey(attributes as CFDictionary, &error) else {
            let cfError = error?.takeRetainedValue()
            if let cfError, CFErrorGetCode(cfError) == Int(errSecUnimplemented) {
                throw CapabilityError.Unavailable(reason: "no Secure Enclave")
            }
            throw Self.failure(cfError, "key creation")
        }
        guard let publicKey = SecKeyCopyPublicKey(key),
              let point = SecKeyCopyExternalRepresentation(publicKey, &error) as Data?,
              point.count == 65 else {
            throw Self.failure(error?.takeRetainedValue(), "public key")
        }
        // The X9.63 point (04 || X || Y) wrapped as a SubjectPublicKeyInfo:
        // SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING }.
        return Self.p256SpkiPrefix + point
    }

    public func sign(alias: String, message: Data) throws -> Data {
        let context = LAContext()
        context.localizedReason = reason
        lock.lock()
        signing = context
        lock.unlock()
        defer {
            lock.lock()
            if signing === context { signing = nil }
            lock.unlock()
        }
        let query: [String: Any] = [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: tag(alias),
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecReturnRef as String: true,
            kSecUseAuthenticationContext as String: context,
        ]
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        guard status == errSecSuccess, let item, CFGetTypeID(item) == SecKeyGetTypeID() else {
            throw CapabilityError.Failed(reason: "no key \(alias) (status \(status))")
        }
        let key = item as! SecKey // checked by the type id above
        var error: Unmanaged<CFError>?
        // ECDSA over SHA-256 of `message`; X9.62 gives the DER signature.
        guard let signature = SecKeyCreateSignature(key, .ecdsaSignatureMessageX962SHA256, message as CFData, &error) else {
            let cfError = error?.takeRetainedValue()
            let code = cfError.map { CFErrorGetCode($0) }
            if code == LAError.Code.appCancel.rawValue {
                throw CapabilityError.Cancelled // our own `cancel()`
            }
            if let code, [Int(errSecUserCanceled), LAError.Code.userCancel.rawValue,
                          LAError.Code.systemCancel.rawValue].contains(code) {
                throw CapabilityError.Declined
            }
            throw Self.failure(cfError, "signature")
        }
        return signature as Data
    }

    /// The flow stopped (Cancel, Back): dismiss a biometric prompt showing.
    public func cancel() throws {
        lock.lock()
        let context = signing
        lock.unlock()
        context?.invalidate()
    }

    public func delete(alias: String) throws {
        let query: [String: Any] = [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: tag(alias),
        ]
        let status = SecItemDelete(query as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw CapabilityError.Failed(reason: "key deletion (status \(status))")
        }
    }

    static let p256SpkiPrefix = Data([
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01,
        0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
    ])

    private static func failure(_ error: CFError?, _ what: String) -> CapabilityError {
        // The error's code only: its description may name the key's tag.
        .Failed(reason: "\(what) failed (\(error.map { CFErrorGetCode($0) } ?? 0))")
    }
}
#endif
