#!/usr/bin/env bash
# Builds the Rust library and its uniffi Swift bindings, then runs the Swift
# package's XCTest suite against the real native library.
#
# With `swift` on PATH (macOS, a Swift image) it is used directly. Otherwise
# (Debian 12 has no Swift) a Debian trixie chroot with trixie's `swiftlang`
# is created once and reused; that path needs root.
#
#   ios-shim/test.sh [extra `swift test` arguments, e.g. --filter NinTests]
#
# Environment: CARGO_TARGET_DIR (default: the workspace's target/),
# AKTIVER_SWIFT_ROOT (default: /var/cache/aktiver/swift-trixie),
# AKTIVER_DEBIAN_MIRROR (default: http://deb.debian.org/debian).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo="$(cd "$here/.." && pwd -P)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
case "$target_dir" in
/*) ;;
*) target_dir="$PWD/$target_dir" ;; # cargo resolves a relative one against the cwd
esac
export CARGO_TARGET_DIR="$target_dir"
gen="$here/Generated"
log="$here/.build/aktiver-test.log"

swift_root="${AKTIVER_SWIFT_ROOT:-/var/cache/aktiver/swift-trixie}"
mirror="${AKTIVER_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
chroot_packages="swiftlang libc6-dev libstdc++-14-dev"
swift_path=/usr/libexec/swift/bin
swift_libs=/usr/libexec/swift/lib/swift/linux

started=$SECONDS
phase_start=$SECONDS
timings=()
say() { printf '==> %s\n' "$*" >&2; }
phase_done() {
    timings+=("$1 $((SECONDS - phase_start))s")
    phase_start=$SECONDS
}

# --- 1. Rust: the cdylib and the bindgen binary --------------------------------
if ! command -v cargo >/dev/null 2>&1; then
    say "cargo not found: install Rust (https://rustup.rs) first"
    exit 1
fi
# The bindgen binary gets its own target dir: its `uniffi/cli` feature must not
# end up in the library the tests load, and in a shared dir the two builds
# overwrite each other's unhashed cdylib and redo each other on every run.
bindgen_target="$CARGO_TARGET_DIR/uniffi-bindgen"
say "building aktiver-ffi (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
CARGO_TARGET_DIR="$bindgen_target" \
    cargo build --manifest-path "$repo/Cargo.toml" -p aktiver-ffi --features bindgen-cli --bin uniffi-bindgen
# test-support: the virtual chip, camera frames, face check and sandbox the
# activation tests drive (never in an app build).
cargo build --manifest-path "$repo/Cargo.toml" -p aktiver-ffi --lib --features test-support
case "$(uname -s)" in
Darwin) lib_name=libaktiver_ffi.dylib ;;
*) lib_name=libaktiver_ffi.so ;;
esac
lib="$CARGO_TARGET_DIR/debug/$lib_name"
bindgen="$bindgen_target/debug/uniffi-bindgen"
phase_done cargo

# --- 2. Swift bindings into Generated/ (git-ignored) ---------------------------
# Files are replaced only when their content changed, so SwiftPM's incremental
# build stays warm.
say "generating Swift bindings into $gen"
tmp="$here/.build/uniffi-out"
rm -rf "$tmp"
mkdir -p "$tmp"
(cd "$repo" && "$bindgen" generate "$lib" --language swift --out-dir "$tmp" --no-format)
mkdir -p "$tmp/layout/aktiver_ffiFFI" "$tmp/layout/AktiverFFI" "$tmp/layout/lib"
cp "$tmp/aktiver_ffiFFI.h" "$tmp/layout/aktiver_ffiFFI/"
# uniffi's modulemap plus a `link` line, so SwiftPM's systemLibrary target
# links the Rust library wherever the module is imported.
awk '/^[[:space:]]*export \*/ { match($0, /^[[:space:]]*/); print substr($0, 1, RLENGTH) "link \"aktiver_ffi\"" }
     { print }' "$tmp/aktiver_ffiFFI.modulemap" >"$tmp/layout/aktiver_ffiFFI/module.modulemap"
grep -q 'link "aktiver_ffi"' "$tmp/layout/aktiver_ffiFFI/module.modulemap"
cp "$tmp/AktiverFFI.swift" "$tmp/layout/AktiverFFI/"
cp "$lib" "$tmp/layout/lib/"
bindings_changed=false
sync_file() { # src dst
    if ! cmp -s "$1" "$2"; then
        mkdir -p "$(dirname "$2")"
        cp "$1" "$2"
        bindings_changed=true
    fi
}
for f in aktiver_ffiFFI/aktiver_ffiFFI.h aktiver_ffiFFI/module.modulemap AktiverFFI/AktiverFFI.swift; do
    sync_file "$tmp/layout/$f" "$gen/$f"
done
# SwiftPM's incremental build does not always rebuild the modules that use
# changed generated code (a test target kept an enum's old case numbering):
# when the bindings change, Swift builds from scratch.
if $bindings_changed; then
    find "$here/.build" -mindepth 1 -maxdepth 1 \( -name '*-*-*' -o -name debug -o -name release \) \
        -exec rm -rf {} + 2>/dev/null || true
fi
sync_file "$tmp/layout/lib/$lib_name" "$gen/lib/$lib_name"
rm -rf "$tmp"
mkdir -p "$(dirname "$log")"
phase_done bindgen

summary() {
    local line
    line="$(grep -E 'Executed [0-9]+ tests?, with' "$log" | tail -n 1 | sed 's/^[[:space:]]*//' || true)"
    printf '\n==> XCTest: %s\n' "${line:-no XCTest summary found (see $log)}"
    printf '==> time: %s, total %ss\n' "${timings[*]}" "$((SECONDS - started))"
}

# --- 3a. A native Swift toolchain ----------------------------------------------
# Package.swift's local mode: the C module over the host library in
# Generated/lib, whose directory the linker gets here (never in the manifest:
# `unsafeFlags` would make the package unusable as a dependency).
export AKTIVER_FFI_LOCAL=1
link_args=(-Xlinker -L"$gen/lib" -Xlinker -rpath -Xlinker "$gen/lib")
if command -v swift >/dev/null 2>&1; then
    say "running swift test with $(command -v swift)"
    status=0
    (cd "$here" && swift test "${link_args[@]}" "$@") 2>&1 | tee "$log" || status=$?
    phase_done swift-test
    summary
    exit "$status"
fi

# --- 3b. Swift from Debian trixie in a chroot ----------------------------------
if [ "$(id -u)" -ne 0 ]; then
    say "no swift on PATH and not root: install Swift or run as root for the trixie chroot"
    exit 1
fi

mounts=()
cleanup() {
    local i
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
        umount -R "${mounts[i]}" 2>/dev/null || umount -R -l "${mounts[i]}" || true
    done
    mounts=()
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mount_into() { # kind source destination-inside-root
    local dst="$swift_root$3"
    mkdir -p "$dst"
    # A run killed with SIGKILL leaves its mounts behind.
    if mountpoint -q "$dst"; then umount -R -l "$dst"; fi
    case "$1" in
    proc) mount -t proc proc "$dst" ;;
    rbind) mount --rbind "$2" "$dst" && mount --make-rslave "$dst" ;;
    bind) mount --bind "$2" "$dst" ;;
    esac
    mounts+=("$dst")
}

in_chroot() {
    chroot "$swift_root" /usr/bin/env -i \
        HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" DEBIAN_FRONTEND=noninteractive AKTIVER_FFI_LOCAL=1 \
        PATH="$swift_path:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
        LD_LIBRARY_PATH="$swift_libs:$gen/lib" \
        "$@"
}

case "$swift_root" in
/?*/?*) ;;
*)
    say "AKTIVER_SWIFT_ROOT must be an absolute path at least two levels deep, not '$swift_root'"
    exit 1
    ;;
esac
mkdir -p "$(dirname "$swift_root")"
# One run at a time owns the chroot's mounts.
exec 9>"$swift_root.lock"
flock 9

ready="$swift_root/.aktiver-swift-ready"
if [ "$(cat "$ready" 2>/dev/null || true)" != "$chroot_packages" ]; then
    say "setting up the Swift chroot in $swift_root (once)"
    if ! command -v debootstrap >/dev/null 2>&1; then
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap
    fi
    if [ ! -f "$swift_root/.aktiver-debootstrap-done" ]; then
        # An interrupted debootstrap leaves a half-made tree; never delete
        # through a mount that is still attached.
        if grep -qF " $swift_root/" /proc/mounts; then
            say "refusing to clear $swift_root: something is still mounted inside it"
            exit 1
        fi
        # Only ever clear what debootstrap left behind (its own work dir
        # marks an unfinished run), never some unrelated directory.
        if [ -n "$(ls -A "$swift_root" 2>/dev/null)" ] && [ ! -d "$swift_root/debootstrap" ]; then
            say "refusing to clear $swift_root: not empty and not an unfinished debootstrap"
            exit 1
        fi
        rm -rf --one-file-system "$swift_root"
        debootstrap --variant=minbase trixie "$swift_root" "$mirror"
        touch "$swift_root/.aktiver-debootstrap-done"
    fi
    mount_into proc proc /proc
    mount_into rbind /dev /dev
    mount_into rbind /sys /sys
    cp /etc/resolv.conf "$swift_root/etc/resolv.conf"
    # Finishes an install that an earlier, interrupted run left half done.
    in_chroot dpkg --configure -a
    in_chroot apt-get update
    # shellcheck disable=SC2086 # the package list is meant to split
    in_chroot apt-get install -y --no-install-recommends $chroot_packages
    in_chroot apt-get clean
    printf '%s' "$chroot_packages" >"$ready"
    cleanup
fi
phase_done chroot-setup

mount_into proc proc /proc
mount_into rbind /dev /dev
mount_into rbind /sys /sys
# The same absolute path inside and out: clang's module cache and SwiftPM's
# build records hold absolute paths.
mount_into bind "$repo" "$repo"

say "running swift test in the trixie chroot ($(in_chroot swift --version 2>&1 | head -n 1))"
status=0
# shellcheck disable=SC2016 # expanded by the inner shell
in_chroot /bin/bash -c 'cd "$1" && shift && swift test "$@"' bash "$here" "${link_args[@]}" "$@" 2>&1 | tee "$log" || status=$?
phase_done swift-test
cleanup
summary
exit "$status"
