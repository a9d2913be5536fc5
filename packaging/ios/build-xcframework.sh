#!/usr/bin/env bash
# The iOS XCFramework of the Rust core and the Swift package apps depend on.
# Needs macOS with Xcode 16+ and rustup; it cannot run on Linux (no
# xcodebuild, no Apple SDKs) and has not been run on this project's CI.
#
#   packaging/ios/build-xcframework.sh [RELEASE_URL]
#
# Writes
#   ios-shim/Generated/aktiver_ffiFFI.xcframework and Generated/AktiverFFI/
#       so that `.package(path: "<checkout>/ios-shim")` works as is;
#   dist/ios/aktiver_ffiFFI.xcframework.zip and .checksum (SwiftPM's SHA-256);
#   dist/ios/Aktiver/  the package to publish (tag it in a release repository):
#       the shim's sources, the generated Swift, and a Package.swift whose
#       binary target is RELEASE_URL/aktiver_ffiFFI.xcframework.zip.
set -euo pipefail
[ "$(uname -s)" = Darwin ] || { echo "build-xcframework.sh: needs macOS with Xcode" >&2; exit 1; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
shim="$root/ios-shim"
target="${CARGO_TARGET_DIR:-$root/target}"
work="$target/xcframework"
dist="$root/dist/ios"
release_url="${1:-https://example.invalid/aktiver/releases/download/v0.1.0}"

export IPHONEOS_DEPLOYMENT_TARGET=15.0 MACOSX_DEPLOYMENT_TARGET=12.0 # as Package.swift
triples="aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin"
# shellcheck disable=SC2086 # the list is meant to split
rustup target add $triples
for t in $triples; do
    cargo build --manifest-path "$root/Cargo.toml" --release -p aktiver-ffi --lib --target "$t"
done
a() { echo "$target/$1/release/libaktiver_ffi.a"; }

# The Swift bindings come from the host library's metadata (same crate, same features).
cargo build --manifest-path "$root/Cargo.toml" --release -p aktiver-ffi --lib
CARGO_TARGET_DIR="$target/uniffi-bindgen" \
    cargo build --manifest-path "$root/Cargo.toml" -p aktiver-ffi --features bindgen-cli --bin uniffi-bindgen
rm -rf "$work" && mkdir -p "$work/gen" "$work/headers/aktiver_ffiFFI" "$work/ios" "$work/sim" "$work/macos"
(cd "$root" && "$target/uniffi-bindgen/debug/uniffi-bindgen" generate "$target/release/libaktiver_ffi.dylib" \
    --language swift --out-dir "$work/gen")

# The C module in its own header subdirectory, so its module.modulemap does
# not collide with other XCFrameworks' in the app's include path.
cp "$work/gen/aktiver_ffiFFI.h" "$work/headers/aktiver_ffiFFI/"
cp "$work/gen/aktiver_ffiFFI.modulemap" "$work/headers/aktiver_ffiFFI/module.modulemap"
cp "$(a aarch64-apple-ios)" "$work/ios/"
lipo -create "$(a aarch64-apple-ios-sim)" "$(a x86_64-apple-ios)" -output "$work/sim/libaktiver_ffi.a"
lipo -create "$(a aarch64-apple-darwin)" "$(a x86_64-apple-darwin)" -output "$work/macos/libaktiver_ffi.a"

xcf="$shim/Generated/aktiver_ffiFFI.xcframework"
rm -rf "$xcf" "$shim/Generated/AktiverFFI" && mkdir -p "$shim/Generated/AktiverFFI"
xcodebuild -create-xcframework \
    -library "$work/ios/libaktiver_ffi.a" -headers "$work/headers" \
    -library "$work/sim/libaktiver_ffi.a" -headers "$work/headers" \
    -library "$work/macos/libaktiver_ffi.a" -headers "$work/headers" \
    -output "$xcf"
cp "$work/gen/AktiverFFI.swift" "$shim/Generated/AktiverFFI/"

# The release: the zipped XCFramework, its checksum, and the package pointing at it.
rm -rf "$dist" && mkdir -p "$dist/Aktiver/Generated"
(cd "$shim/Generated" && ditto -c -k --sequesterRsrc --keepParent aktiver_ffiFFI.xcframework "$dist/aktiver_ffiFFI.xcframework.zip")
checksum="$(swift package --package-path "$shim" compute-checksum "$dist/aktiver_ffiFFI.xcframework.zip")"
echo "$checksum" >"$dist/aktiver_ffiFFI.xcframework.checksum"
cp -R "$shim/Sources" "$dist/Aktiver/"
cp -R "$shim/Generated/AktiverFFI" "$dist/Aktiver/Generated/"
sed "s|^let releaseBinary: (url: String, checksum: String)? = nil\$|let releaseBinary: (url: String, checksum: String)? = (\"$release_url/aktiver_ffiFFI.xcframework.zip\", \"$checksum\")|" \
    "$shim/Package.swift" | sed '/\.testTarget(/d' >"$dist/Aktiver/Package.swift"
grep -q "\"$checksum\")" "$dist/Aktiver/Package.swift"
swift package --package-path "$dist/Aktiver" dump-package >/dev/null
echo "XCFramework: $xcf"
echo "release: $dist (upload the zip to $release_url/, publish $dist/Aktiver as the package; checksum $checksum)"
