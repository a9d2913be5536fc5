// The idiomatic Swift face of aktiver's Rust core.
//
// Everything here is plain Foundation, so it builds and is tested on Linux as
// well as on Apple platforms. Platform adapters (CoreNFC for the chip,
// AVFoundation/Vision for the MRZ camera) belong in separate targets.

// Re-exported so `import Aktiver` brings the generated records, enums and
// errors (MrzDocument, NinInfo, MrzError, ...) with it.
@_exported import AktiverFFI

/// Facts about the linked Rust core.
public enum AktiverCore {
    /// The core's version, for diagnostics and bug reports.
    public static var version: String { coreVersion() }
}
