#!/usr/bin/env bash
# Which opt-level suits the mobile release profile: the stripped size of the
# aktiver-ffi cdylib (fat LTO, one codegen unit) and parse/repair speed, per
# opt-level. Re-run when the core grows; the README has the last figures.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/profile-measure"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
printf '%-10s %12s %12s\n' opt-level unstripped stripped
for level in s z 2 3; do
    CARGO_PROFILE_RELEASE_OPT_LEVEL=$level cargo build -q --release -p aktiver-ffi --lib
    lib="$CARGO_TARGET_DIR/release/libaktiver_ffi.so"
    strip -o "$tmp/lib.so" "$lib"
    printf '%-10s %12d %12d\n' "$level" "$(stat -c %s "$lib")" "$(stat -c %s "$tmp/lib.so")"
done
for level in s z 3; do
    echo "speed at opt-level=$level"
    CARGO_PROFILE_BENCH_OPT_LEVEL=$level cargo bench -q -p aktiver-mrz --bench parse -- \
        --warm-up-time 1 --measurement-time 3 'parse/td3|repair/td3_one' 2>&1 | grep -E '^(parse|repair)/|time:'
done
