package no.aktiver

import no.aktiver.ffi.LogLevel
import no.aktiver.ffi.LogSink
import no.aktiver.ffi.coreVersion
import no.aktiver.ffi.setLogSink

/** Entry point for diagnostics about the linked native core. */
public object Aktiver {
    /** The Rust core's version; also proves the native library loads. */
    public val coreVersion: String
        get() = coreVersion()
}

/** Receives the core's log lines (screen and action names, error kinds; never input). */
public fun interface AktiverLogger {
    public fun log(level: LogLevel, target: String, message: String)
}

/** Where the core's log lines go: Logcat on Android, anything on the JVM. */
public object AktiverLog {
    /** Sends lines up to [maxLevel] to [logger]; `null` stops. */
    public fun install(logger: AktiverLogger?, maxLevel: LogLevel = LogLevel.INFO) {
        val sink =
            logger?.let {
                object : LogSink {
                    override fun log(level: LogLevel, target: String, message: String) = it.log(level, target, message)
                }
            }
        setLogSink(sink, maxLevel)
    }
}
