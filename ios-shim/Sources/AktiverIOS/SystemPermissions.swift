#if os(iOS) && canImport(AVFoundation) && canImport(UserNotifications) && canImport(LocalAuthentication)
@preconcurrency import AVFoundation
import Foundation
import LocalAuthentication
@preconcurrency import UserNotifications
import Aktiver

/// The operating system's prompts for the camera, notifications and
/// biometrics. The core asks from its own threads and waits for the answer
/// (the OS shows its prompt on the main thread meanwhile).
///
/// The app needs `NSCameraUsageDescription` and `NSFaceIDUsageDescription`.
public final class SystemPermissions: Permissions, Sendable {
    private let biometricReason: String

    /// - Parameter biometricReason: shown when the biometric prompt is first asked for.
    public init(biometricReason: String) {
        self.biometricReason = biometricReason
    }

    public func granted(permission: Permission) -> Bool {
        switch permission {
        case .camera:
            return AVCaptureDevice.authorizationStatus(for: .video) == .authorized
        case .notifications:
            let answer = BlockingResult<Bool>()
            UNUserNotificationCenter.current().getNotificationSettings { settings in
                answer.finish(.success([.authorized, .provisional, .ephemeral].contains(settings.authorizationStatus)))
            }
            return (try? answer.wait().get()) ?? false
        case .biometrics:
            var error: NSError?
            return LAContext().canEvaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, error: &error)
        }
    }

    public func request(permission: Permission) -> Bool {
        let answer = BlockingResult<Bool>()
        switch permission {
        case .camera:
            AVCaptureDevice.requestAccess(for: .video) { answer.finish(.success($0)) }
        case .notifications:
            UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .sound, .badge]) { ok, _ in
                answer.finish(.success(ok))
            }
        case .biometrics:
            // The first evaluation is where iOS asks for Face ID permission.
            let context = LAContext()
            var error: NSError?
            guard context.canEvaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, error: &error) else {
                return false
            }
            context.evaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, localizedReason: biometricReason) { ok, _ in
                answer.finish(.success(ok))
            }
        }
        return (try? answer.wait().get()) ?? false
    }
}
#endif
