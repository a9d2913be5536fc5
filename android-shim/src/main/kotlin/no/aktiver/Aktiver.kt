package no.aktiver

import no.aktiver.ffi.coreVersion

/** Entry point for diagnostics about the linked native core. */
public object Aktiver {
    /** The Rust core's version; also proves the native library loads. */
    public val coreVersion: String
        get() = coreVersion()
}
