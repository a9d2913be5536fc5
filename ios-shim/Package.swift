// swift-tools-version:5.9
// Tools 5.9 keeps the Swift 5 language mode, which uniffi's generated code needs.
import PackageDescription

// Generated/ (git-ignored) is written by test.sh: uniffi's Swift bindings,
// their C header + modulemap, and a copy of the Rust library in Generated/lib.
let nativeLibDir = Context.packageDirectory + "/Generated/lib"

let package = Package(
    name: "Aktiver",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "Aktiver", targets: ["Aktiver"]),
    ],
    targets: [
        // The C side of the FFI: uniffi's header, and a modulemap that links libaktiver_ffi.
        .systemLibrary(name: "aktiver_ffiFFI", path: "Generated/aktiver_ffiFFI"),
        // uniffi's generated Swift, exactly as generated.
        .target(
            name: "AktiverFFI",
            dependencies: ["aktiver_ffiFFI"],
            path: "Generated/AktiverFFI",
            linkerSettings: [
                .unsafeFlags(["-L", nativeLibDir, "-Xlinker", "-rpath", "-Xlinker", nativeLibDir]),
            ]
        ),
        // The idiomatic facade apps import.
        .target(name: "Aktiver", dependencies: ["AktiverFFI"]),
        .testTarget(name: "AktiverTests", dependencies: ["Aktiver"]),
    ]
)
