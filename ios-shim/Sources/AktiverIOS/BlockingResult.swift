import Foundation
import Aktiver

/// The answer of a platform callback, waited for on one of the core's
/// threads (the capabilities are blocking calls). Never wait on the thread
/// that delivers the callback.
final class BlockingResult<Value: Sendable>: @unchecked Sendable {
    // `result` is written once before `done` is signalled, read after.
    private var result: Result<Value, CapabilityError>?
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()

    func finish(_ value: Result<Value, CapabilityError>) {
        lock.lock()
        let first = result == nil
        if first { result = value }
        lock.unlock()
        if first { done.signal() }
    }

    func wait() -> Result<Value, CapabilityError> {
        done.wait()
        lock.lock()
        defer { lock.unlock() }
        return result ?? .failure(.Failed(reason: "no answer"))
    }

    /// Waits at most `timeout`; then fails with `onTimeout`.
    func wait(timeout: TimeInterval, onTimeout: CapabilityError) -> Result<Value, CapabilityError> {
        if done.wait(timeout: .now() + timeout) == .timedOut {
            finish(.failure(onTimeout))
            done.wait()
        }
        lock.lock()
        defer { lock.unlock() }
        return result ?? .failure(onTimeout)
    }
}
