#if canImport(Security) && (os(iOS) || os(macOS))
import Foundation
import Security
import Aktiver

/// The flow's secure storage (its snapshot and tokens) in the keychain:
/// generic passwords of one service, readable after the first unlock, on
/// this device only (never in backups or iCloud Keychain).
public final class KeychainStorage: SecureStorage, Sendable {
    private let service: String

    public init(service: String = "no.aktiver.flow") {
        self.service = service
    }

    private func query(_ key: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: key,
            kSecUseDataProtectionKeychain as String: true,
        ]
    }

    public func get(key: String) throws -> Data? {
        var q = query(key)
        q[kSecReturnData as String] = true
        q[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(q as CFDictionary, &item)
        switch status {
        case errSecSuccess: return item as? Data
        case errSecItemNotFound: return nil
        default: throw CapabilityError.Failed(reason: "keychain read (status \(status))")
        }
    }

    public func put(key: String, value: Data) throws {
        let update: [String: Any] = [
            kSecValueData as String: value,
            kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
        ]
        var status = SecItemUpdate(query(key) as CFDictionary, update as CFDictionary)
        if status == errSecItemNotFound {
            let add = query(key).merging(update) { _, new in new }
            status = SecItemAdd(add as CFDictionary, nil)
        }
        guard status == errSecSuccess else {
            throw CapabilityError.Failed(reason: "keychain write (status \(status))")
        }
    }

    public func delete(key: String) throws {
        let status = SecItemDelete(query(key) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw CapabilityError.Failed(reason: "keychain delete (status \(status))")
        }
    }
}
#endif
