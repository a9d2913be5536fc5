import Foundation

/// The core's log lines in the app (os_log, a file): aktiver's own lines
/// only, which carry screen and action names and error kinds, never input.
///
/// ```swift
/// AktiverLog.install(level: .info) { level, target, message in
///     logger.log("\(target, privacy: .public): \(message, privacy: .public)")
/// }
/// ```
public enum AktiverLog {
    /// Sends lines up to `level` to `handler`, called on the core's threads
    /// (possibly while it holds a lock: hand the line on and return).
    public static func install(level: LogLevel = .info,
                               _ handler: @escaping @Sendable (LogLevel, String, String) -> Void) {
        setLogSink(sink: ClosureSink(handler), maxLevel: level)
    }

    /// Stops the lines.
    public static func uninstall() {
        setLogSink(sink: nil, maxLevel: .error)
    }
}

private final class ClosureSink: LogSink {
    private let handler: @Sendable (LogLevel, String, String) -> Void

    init(_ handler: @escaping @Sendable (LogLevel, String, String) -> Void) {
        self.handler = handler
    }

    func log(level: LogLevel, target: String, message: String) throws {
        handler(level, target, message)
    }
}
