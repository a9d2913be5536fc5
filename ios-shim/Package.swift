// swift-tools-version:6.0
import PackageDescription

// Where the native library (uniffi's C module `aktiver_ffiFFI` over the Rust
// core) comes from. No `unsafeFlags` in any mode, so the package can be a
// dependency.
//
// - Apps: an XCFramework as a binary target. In a checkout it is
//   Generated/aktiver_ffiFFI.xcframework, built with
//   `packaging/ios/build-xcframework.sh`; the release copy of this package
//   that script writes sets `releaseBinary` (URL and checksum of the zip).
// - Tests here (`ios-shim/test.sh`, also on Linux): AKTIVER_FFI_LOCAL=1 makes it
//   a system-library target over the host library; its modulemap links
//   `aktiver_ffi`, and test.sh gives the linker the library's directory on
//   the `swift test` command line.
//
// Generated/ (git-ignored) holds uniffi's Swift, header and modulemap: build
// outputs, never committed.
let releaseBinary: (url: String, checksum: String)? = nil

let ffiTarget: Target
if Context.environment["AKTIVER_FFI_LOCAL"] != nil {
    ffiTarget = .systemLibrary(name: "aktiver_ffiFFI", path: "Generated/aktiver_ffiFFI")
} else if let release = releaseBinary {
    ffiTarget = .binaryTarget(name: "aktiver_ffiFFI", url: release.url, checksum: release.checksum)
} else {
    ffiTarget = .binaryTarget(name: "aktiver_ffiFFI", path: "Generated/aktiver_ffiFFI.xcframework")
}

let apple: [Platform] = [.iOS, .macOS]

let package = Package(
    name: "Aktiver",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        // The facade: the activation as async calls and a stream of screens.
        .library(name: "Aktiver", targets: ["Aktiver"]),
        // CoreNFC, AVFoundation, Secure Enclave, Keychain and notification
        // adapters (empty where those frameworks do not exist).
        .library(name: "AktiverIOS", targets: ["AktiverIOS"]),
    ],
    targets: [
        ffiTarget,
        // uniffi's generated Swift, exactly as generated.
        .target(
            name: "AktiverFFI",
            dependencies: ["aktiver_ffiFFI"],
            path: "Generated/AktiverFFI",
            linkerSettings: [
                // What the Rust static library calls on Apple platforms
                // (random numbers, the system's network configuration).
                .linkedFramework("Security", .when(platforms: apple)),
                .linkedFramework("SystemConfiguration", .when(platforms: apple)),
            ]
        ),
        .target(name: "Aktiver", dependencies: ["AktiverFFI"]),
        .target(name: "AktiverIOS", dependencies: ["Aktiver"]),
        .testTarget(name: "AktiverTests", dependencies: ["Aktiver"]),
    ],
    swiftLanguageModes: [.v6]
)
