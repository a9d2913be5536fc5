#if os(iOS) && canImport(UIKit)
import Foundation
import UIKit
import Aktiver

/// The APNs device token for the flow. iOS hands the token to the app
/// delegate, so the app forwards it:
///
/// ```swift
/// func application(_ app: UIApplication, didRegisterForRemoteNotificationsWithDeviceToken token: Data) {
///     pushToken.didRegister(deviceToken: token)
/// }
/// func application(_ app: UIApplication, didFailToRegisterForRemoteNotificationsWithError error: Error) {
///     pushToken.didFailToRegister()
/// }
/// ```
/// `token()` asks iOS to register and waits (at most `timeout`) for that.
public final class ApnsPushToken: PushToken, @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var token: String?
    private var waiting: [BlockingResult<String>] = []
    private let timeout: TimeInterval

    public init(timeout: TimeInterval = 30) {
        self.timeout = timeout
    }

    public func token() throws -> PushTokenValue {
        lock.lock()
        if let token {
            lock.unlock()
            return PushTokenValue(platform: .apns, token: token)
        }
        let answer = BlockingResult<String>()
        waiting.append(answer)
        lock.unlock()
        Task { @MainActor in UIApplication.shared.registerForRemoteNotifications() }
        let token = try answer.wait(timeout: timeout, onTimeout: .Unavailable(reason: "no APNs token")).get()
        return PushTokenValue(platform: .apns, token: token)
    }

    /// The token from `didRegisterForRemoteNotificationsWithDeviceToken`.
    public func didRegister(deviceToken: Data) {
        let hex = deviceToken.map { String(format: "%02x", $0) }.joined()
        lock.lock()
        token = hex
        let waiting = self.waiting
        self.waiting = []
        lock.unlock()
        waiting.forEach { $0.finish(.success(hex)) }
    }

    /// From `didFailToRegisterForRemoteNotificationsWithError`.
    public func didFailToRegister() {
        lock.lock()
        let waiting = self.waiting
        self.waiting = []
        lock.unlock()
        waiting.forEach { $0.finish(.failure(.Unavailable(reason: "APNs registration failed"))) }
    }
}
#endif
