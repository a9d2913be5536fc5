import Foundation

/// What a call on an ``ActivationSession`` throws. Carries no input (it may
/// be personal data).
public enum AktiverError: Error, Sendable, Equatable {
    /// The action does not fit the current screen.
    case badState(screen: String, action: String)
    /// The activation could not be set up (configuration, storage, runtime).
    case setup(reason: String)
    /// The session was closed.
    case closed
    /// A bug in the core (caught): close the session and start a new one,
    /// which resumes from secure storage.
    case internalError(reason: String)
    /// The calling task was cancelled; busy work (the chip read, the face
    /// check) was interrupted as the user's Back would, the flow stays usable.
    case cancelled

    init(_ error: any Error) {
        switch error {
        case let e as AktiverError: self = e
        case let e as ActivationError:
            switch e {
            case let .BadState(screen, action): self = .badState(screen: screen, action: action)
            case let .Setup(reason): self = .setup(reason: reason)
            case .Closed: self = .closed
            case let .Internal(reason): self = .internalError(reason: reason)
            }
        case is CancellationError: self = .cancelled
        default: self = .internalError(reason: "unexpected error type \(type(of: error))")
        }
    }
}

/// One activation, the way a SwiftUI or UIKit app drives it: ``screens()``
/// to draw, async actions, ``cancel()`` to end it. Thread-safe; hold one per
/// activation and ``close()`` it when the app leaves the flow (the flow stays
/// saved in secure storage: ``start(config:capabilities:)`` resumes it).
///
/// ```swift
/// let session = try await ActivationSession.start(config: config, capabilities: capabilities)
/// Task { for await view in session.screens() { model.show(view) } }
/// try await session.act(.getStarted)
/// ```
public final class ActivationSession: Sendable {
    /// The generated object, for what the facade does not wrap.
    public let activation: Activation
    private let streams = OpenStreams()

    public init(_ activation: Activation) {
        self.activation = activation
    }

    /// Starts an activation, or resumes the one saved in the capabilities'
    /// secure storage.
    public static func start(config: ActivationConfig, capabilities: Capabilities) async throws(AktiverError) -> ActivationSession {
        do {
            return ActivationSession(try await startActivation(config: config, capabilities: capabilities))
        } catch {
            throw AktiverError(error)
        }
    }

    /// The screen showing now.
    public func current() throws(AktiverError) -> ScreenView {
        do { return try activation.current() } catch { throw AktiverError(error) }
    }

    /// The current screen at once, then every screen after it, in order and
    /// none dropped. The stream finishes after a terminal screen (complete,
    /// failed, cancelled) or when the session is closed; its subscription
    /// ends when the consumer stops iterating (its task cancelled). Each
    /// call is a new subscription.
    public func screens() -> AsyncStream<ScreenView> {
        AsyncStream(bufferingPolicy: .unbounded) { continuation in
            // Set up before subscribing: the first screen may be terminal
            // and finish the stream inside `observe`.
            let id = streams.add(continuation)
            let subscription = Subscription()
            continuation.onTermination = { [streams] _ in
                subscription.end()
                streams.remove(id)
            }
            do {
                subscription.hold(try activation.observe(listener: StreamListener(continuation)))
            } catch {
                continuation.finish()
            }
        }
    }

    /// Performs an action and returns the screen the flow then waits on
    /// (``screens()`` sees every screen on the way). Cancelling the calling
    /// task interrupts busy work, since Swift's cancellation does not reach
    /// the Rust future, and then throws ``AktiverError/cancelled`` (an
    /// action without busy work may have taken effect: ``screens()`` shows
    /// where the flow is).
    @discardableResult
    public func act(_ action: Action) async throws(AktiverError) -> ScreenView {
        let activation = self.activation
        let running = RunningFlag()
        do {
            let view = try await withTaskCancellationHandler {
                defer { running.finish() }
                return try await activation.act(action: action)
            } onCancel: {
                Task.detached { await Self.interruptBusyWork(activation, while: running) }
            }
            if Task.isCancelled { throw AktiverError.cancelled }
            return view
        } catch {
            throw AktiverError(error)
        }
    }

    /// A camera frame on the MRZ scan screen; answers with the scanner's
    /// feedback (`hold_still`, `glare`, `move_closer`, `read`, ...). Once
    /// frames agree on an MRZ the flow moves on by itself.
    @discardableResult
    public func submit(_ frame: CameraFrame) async throws(AktiverError) -> String {
        do {
            return try await activation.submitFrame(luma: frame.luma, width: frame.width, height: frame.height,
                                                    rowStride: frame.rowStride, rotationDegrees: frame.rotationDegrees)
        } catch {
            throw AktiverError(error)
        }
    }

    /// Ends the activation as the user's Cancel: stops work in progress (a
    /// chip read, a network call), cancels the server session, and answers
    /// with the `cancelled` screen.
    @discardableResult
    public func cancel() async throws(AktiverError) -> ScreenView {
        do { return try await activation.cancel() } catch { throw AktiverError(error) }
    }

    /// Releases the session: streams finish, later calls throw
    /// ``AktiverError/closed``. The activation stays saved.
    public func close() {
        activation.release()
        streams.finishAll()
    }

    /// Back on the first busy screen the running action reaches, as the
    /// bindings do for a Kotlin coroutine that is cancelled.
    private static func interruptBusyWork(_ activation: Activation, while running: RunningFlag) async {
        while running.isRunning {
            if let view = try? activation.current(), view.busy {
                _ = try? await activation.act(action: .back)
                return
            }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
    }
}

/// Hands each screen to an `AsyncStream`; called on the core's threads.
private final class StreamListener: ScreenListener {
    private let continuation: AsyncStream<ScreenView>.Continuation

    init(_ continuation: AsyncStream<ScreenView>.Continuation) {
        self.continuation = continuation
    }

    func onScreen(view: ScreenView) throws {
        continuation.yield(view)
        if view.terminal { continuation.finish() }
    }
}

/// Whether an action is still running (set from the task, read by the
/// interrupting one).
private final class RunningFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true

    var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return running
    }

    func finish() {
        lock.lock()
        running = false
        lock.unlock()
    }
}

/// The streams ``ActivationSession/close()`` finishes.
private final class OpenStreams: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var next = 0
    private var open: [Int: AsyncStream<ScreenView>.Continuation] = [:]

    func add(_ continuation: AsyncStream<ScreenView>.Continuation) -> Int {
        lock.lock()
        defer { lock.unlock() }
        next += 1
        open[next] = continuation
        return next
    }

    func remove(_ id: Int) {
        lock.lock()
        open[id] = nil
        lock.unlock()
    }

    func finishAll() {
        lock.lock()
        let all = Array(open.values)
        open = [:]
        lock.unlock()
        all.forEach { $0.finish() }
    }
}

/// A stream's observe handle, cancelled when the stream ends (also when
/// it ended before the handle arrived).
private final class Subscription: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var handle: ObserveHandle?
    private var ended = false

    func hold(_ handle: ObserveHandle) {
        lock.lock()
        let ended = self.ended
        if !ended { self.handle = handle }
        lock.unlock()
        if ended { handle.cancel() }
    }

    func end() {
        lock.lock()
        ended = true
        let handle = self.handle
        self.handle = nil
        lock.unlock()
        handle?.cancel()
    }
}
