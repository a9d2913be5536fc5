#!/usr/bin/env bash
# The Android library (AAR): the Rust core for each ABI, built with the NDK
# and 16 KB-aligned (Android 15+ devices with 16 KB pages need it), with the
# Kotlin facade, the Android adapters and uniffi's generated Kotlin as classes.jar. Needs the
# Android NDK r27+ (ANDROID_NDK_HOME), `cargo install cargo-ndk`, JDK 17,
# Maven and zip. This project's machine has no NDK: the script has not run here.
#
#   packaging/android/build-aar.sh
#
# Writes dist/android/aktiver-VERSION.aar and aktiver-VERSION.pom (its runtime
# dependencies, JNA's AAR among them). Publish both to a Maven repository:
#   mvn deploy:deploy-file -Dfile=dist/android/aktiver-0.1.0.aar \
#       -DpomFile=dist/android/aktiver-0.1.0.pom -Durl=REPO -DrepositoryId=ID
set -euo pipefail
: "${ANDROID_NDK_HOME:?set ANDROID_NDK_HOME to an Android NDK (r27 or later)}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
shim="$root/android-shim"
target="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_TARGET_DIR="$target"
work="$target/aar"
dist="$root/dist/android"
min_sdk=24
abis="arm64-v8a armeabi-v7a x86_64"
version="$(mvn -q -f "$shim/pom.xml" help:evaluate -Dexpression=project.version -DforceStdout)"
jna_version="$(mvn -q -f "$shim/pom.xml" help:evaluate -Dexpression=jna.version -DforceStdout)"
coroutines_version="$(mvn -q -f "$shim/pom.xml" help:evaluate -Dexpression=coroutines.version -DforceStdout)"
kotlin_version="$(mvn -q -f "$shim/pom.xml" help:evaluate -Dexpression=kotlin.version -DforceStdout)"

rm -rf "$work" && mkdir -p "$work/aar/jni" "$dist"
rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android

# 1. The native library per ABI. RUSTFLAGS reach only the Android targets
#    (cargo does not apply them to host build scripts when a target is given).
ndk_args=()
for abi in $abis; do ndk_args+=(-t "$abi"); done
RUSTFLAGS="-C link-arg=-Wl,-z,max-page-size=16384" CARGO_PROFILE_RELEASE_STRIP=symbols \
    cargo ndk "${ndk_args[@]}" --platform "$min_sdk" -o "$work/aar/jni" \
    build --manifest-path "$root/Cargo.toml" --release -p aktiver-ffi --lib
readelf="$(echo "$ANDROID_NDK_HOME"/toolchains/llvm/prebuilt/*/bin/llvm-readelf)"
for abi in $abis; do
    so="$work/aar/jni/$abi/libaktiver_ffi.so"
    # Every LOAD segment aligned to 16 KB (0x4000) or more.
    for align in $("$readelf" -lW "$so" | awk '$1 == "LOAD" { print $NF }'); do
        if ((align < 16384)); then
            echo "build-aar.sh: $so has a LOAD segment aligned to $align, not 16 KB" >&2
            exit 1
        fi
    done
done

# 2. Kotlin: bindings generated from the host library (same crate and
#    features), then the shim's classes (no tests: they need the host library).
cargo build --manifest-path "$root/Cargo.toml" --release -p aktiver-ffi --lib
CARGO_TARGET_DIR="$target/uniffi-bindgen" \
    cargo build --manifest-path "$root/Cargo.toml" -p aktiver-ffi --features bindgen-cli --bin uniffi-bindgen
(cd "$root" && "$target/uniffi-bindgen/debug/uniffi-bindgen" generate "$target/release/libaktiver_ffi.so" \
    --language kotlin --out-dir "$work/generated-kotlin" --metadata-no-deps)
# maven.test.skip: the tests use the test-support bindings, absent in a release build.
mvn -B -ntp -f "$shim/pom.xml" -Dgenerated.kotlin.dir="$work/generated-kotlin" -Dmaven.test.skip=true package
cp "$shim/target/aktiver-android-shim-$version.jar" "$work/aar/classes.jar"

# 3. The AAR: manifest, classes, native libraries, R8 rules for apps.
cat >"$work/aar/AndroidManifest.xml" <<XML
<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="no.aktiver">
    <uses-sdk android:minSdkVersion="$min_sdk" />
    <uses-permission android:name="android.permission.NFC" />
</manifest>
XML
: >"$work/aar/R.txt"
# The consumer R8 rules (JNA and the generated bindings are found by reflection).
cp "$shim/proguard-rules.pro" "$work/aar/proguard.txt"
aar="$dist/aktiver-$version.aar"
rm -f "$aar"
(cd "$work/aar" && zip -qr "$aar" AndroidManifest.xml classes.jar R.txt proguard.txt jni)

cat >"$dist/aktiver-$version.pom" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>no.aktiver</groupId>
  <artifactId>aktiver</artifactId>
  <version>$version</version>
  <packaging>aar</packaging>
  <dependencies>
    <dependency><groupId>net.java.dev.jna</groupId><artifactId>jna</artifactId><version>$jna_version</version><type>aar</type></dependency>
    <dependency><groupId>org.jetbrains.kotlinx</groupId><artifactId>kotlinx-coroutines-android</artifactId><version>$coroutines_version</version></dependency>
    <dependency><groupId>org.jetbrains.kotlin</groupId><artifactId>kotlin-stdlib</artifactId><version>$kotlin_version</version></dependency>
  </dependencies>
</project>
POM
echo "AAR: $aar ($(du -h "$aar" | cut -f1)), ABIs: $abis"
