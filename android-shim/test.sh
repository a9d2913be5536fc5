#!/usr/bin/env bash
# Build the host cdylib, generate the Kotlin bindings from it, and run the
# Kotlin tests on the JVM against that real library through JNA.
# Extra arguments go to Maven, e.g. `android-shim/test.sh -Dtest=MrzTest`.
set -euo pipefail

for tool in cargo java mvn; do
    command -v "$tool" >/dev/null || { echo "test.sh: '$tool' not found on PATH (needs Rust, JDK 17+, Maven 3.8+)" >&2; exit 127; }
done

shim="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$shim/.." && pwd)"

# Debug profile on purpose: the Rust tests build the same artefacts.
# A relative CARGO_TARGET_DIR means what cargo makes of it: relative to the caller.
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$PWD/$target" ;; esac
export CARGO_TARGET_DIR="$target"
lib_dir="$target/debug"
case "$(uname -s)" in Darwin) lib_file="$lib_dir/libaktiver_ffi.dylib" ;; *) lib_file="$lib_dir/libaktiver_ffi.so" ;; esac
cd "$root"
generated="$shim/target/generated-kotlin"

start=$SECONDS
step() { printf '==> [%3ds] %s\n' "$((SECONDS - start))" "$*"; }

step "cargo build (aktiver-ffi cdylib + uniffi-bindgen, debug) in $target"
# The bindgen binary lives in its own target dir (shared with
# ios-shim/test.sh): built with the `uniffi/cli` feature it would otherwise
# overwrite the cdylib we load, which must be the one built without it.
bindgen="$target/uniffi-bindgen/debug/uniffi-bindgen"
CARGO_TARGET_DIR="$target/uniffi-bindgen" \
    cargo build --quiet -p aktiver-ffi --features bindgen-cli --bin uniffi-bindgen
cargo build --quiet -p aktiver-ffi --lib --features test-support

step "uniffi-bindgen generate --language kotlin"
# Generated from the unstripped library: its metadata is the source of truth.
rm -rf "$generated"
# Library mode finds bindings/uniffi.toml (Kotlin package, cdylib name) itself.
"$bindgen" generate "$lib_file" \
    --language kotlin --out-dir "$generated" --no-format --metadata-no-deps >/dev/null

step "mvn test (the first run downloads Maven plugins and dependencies)"
mkdir -p "$shim/target"
log="$shim/target/mvn-test.log"
status=0
mvn -B -ntp -Dstyle.color=never -f "$shim/pom.xml" \
    -Djna.library.path="$lib_dir" -Dgenerated.kotlin.dir="$generated" \
    test "$@" >"$log" 2>&1 || status=$?

# Per-class lines, then what failed, then the total; the full log stays on disk.
grep -E '^\[(INFO|WARNING|ERROR)\] Tests run: .* in ' "$log" | sed 's/^\[[A-Z]*\] //' || true
if [ "$status" -ne 0 ]; then
    if grep -qE '^\[ERROR\] (Failures|Errors): *$' "$log"; then
        # Surefire's digest: one line per failed test with the assertion message.
        awk '/^\[ERROR\] (Failures|Errors): *$/ { on = 1 } on && /^\[ERROR\] Tests run:/ { print; exit } on && NF > 1' "$log" |
            sed 's/^\[ERROR\] //'
    else
        # No tests ran: compilation or dependency resolution failed.
        grep -E '^(\[ERROR\]|e: )' "$log" | grep -vE '^\[ERROR\] *$|Help 1|re-run Maven|Re-run Maven|full stack trace|please read' | head -40 || true
    fi
    echo "mvn test failed (exit $status); full log: $log" >&2
    exit "$status"
fi
grep -E '^\[(INFO|WARNING)\] Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$' "$log" | tail -1 | sed 's/^\[[A-Z]*\] //'
step "done"
