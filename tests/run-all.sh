#!/usr/bin/env bash
# Every test aktiver has: Rust (format, lints, unit, property, integration
# and doc tests), the simulator's studio page in headless Chromium,
# schemathesis against the sandbox's OpenAPI document, then
# Kotlin on the JVM and Swift with XCTest, both through the real native
# library. Installs what it needs (schemathesis from PyPI, Maven downloads,
# the Swift toolchain) by itself. Prints a count per suite and a total line.
#
#   tests/run-all.sh            everything
#   tests/run-all.sh --rust     Rust only
#
# Environment: CARGO_TARGET_DIR (default target/), AKTIVER_SWIFT_ROOT (see
# ios-shim/test.sh).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"
export CARGO_TERM_COLOR=never
only_rust=false
[ "${1:-}" = "--rust" ] && only_rust=true

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
start=$SECONDS
step() { printf '\n==> [%4ds] %s\n' "$((SECONDS - start))" "$*"; }

step "Rust: cargo fmt --check"
cargo fmt --all --check

step "Rust: cargo clippy -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "Rust: the server builds without the chip reader (aktiver-emrtd with no features)"
# Alone, so workspace feature unification cannot lend it the reader.
cargo check --quiet -p aktiver-sandbox --lib --bins
cargo check --quiet -p aktiver-emrtd --no-default-features --all-targets

step "Rust: cargo check of the fuzz crates (own workspaces, so the above skips them)"
# Stable toolchain, no sanitizers: only that they still compile. One shared
# target dir so the five crates build their common dependencies once.
for fuzz in core/*/fuzz/Cargo.toml; do
    CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}/fuzz-check" \
        cargo check --quiet --bins --manifest-path "$fuzz"
done

step "Rust: cargo test"
set +e
cargo test --workspace 2>&1 | tee "$logs/rust.log" | grep -E '^(test result:|     Running|   Doc-tests|failures:|---- )|panicked'
rust_status=${PIPESTATUS[0]}
set -e
rust_passed=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) if ($(i+1) ~ /^passed/) s += $i } END { print s + 0 }' "$logs/rust.log")
rust_failed=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) if ($(i+1) ~ /^failed/) s += $i } END { print s + 0 }' "$logs/rust.log")
[ "$rust_status" -eq 0 ] || rust_failed=$((rust_failed > 0 ? rust_failed : 1))
echo "Rust: $rust_passed passed, $rust_failed failed"

# run_suite NAME SCRIPT COUNTER: run a shim's test script, then set
# NAME_passed/NAME_failed from what COUNTER (a function reading the log on
# stdin and printing "RUN FAILED") makes of its output.
run_suite() {
    local name=$1 script=$2 counter=$3 status counts run bad
    step "$name: $script"
    set +e
    "$script" 2>&1 | tee "$logs/$name.log"
    status=${PIPESTATUS[0]}
    set -e
    counts=$("$counter" <"$logs/$name.log")
    run=${counts% *} bad=${counts#* }
    [ "$status" -eq 0 ] || bad=$((bad > 0 ? bad : 1))
    printf -v "${name}_passed" '%d' $((run > bad ? run - bad : 0))
    printf -v "${name}_failed" '%d' "$bad"
    echo "$name: $((run > bad ? run - bad : 0)) passed, $bad failed"
}
# schemathesis: "1840 generated, 1840 passed" (", N failed" when any failed);
# then the API walk: "API walk: 57 checks, 57 passed, 0 failed".
count_schemathesis() {
    awk '/[0-9]+ generated, |^API walk: / { for (i = 1; i < NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
         END { print p + f, f + 0 }'
}
# Surefire: "Tests run: 27, Failures: 0, Errors: 0, Skipped: 0"
count_surefire() {
    awk '/^Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/ { gsub(",", ""); r = $3; b = $5 + $7 }
         END { print r + 0, b + 0 }'
}
# XCTest: "Executed 37 tests, with 0 failures"
count_xctest() {
    awk 'match($0, /Executed [0-9]+ tests?, with [0-9]+ failures?/) {
             split(substr($0, RSTART, RLENGTH), w, " "); r = w[2]; b = w[5] }
         END { print r + 0, b + 0 }'
}

# cargo test: "test result: ok. 1 passed; 0 failed; ..."
count_cargo() {
    awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
         END { print p + f, f + 0 }'
}

Browser_passed=0 Browser_failed=0 API_passed=0 API_failed=0 Kotlin_passed=0 Kotlin_failed=0 Swift_passed=0 Swift_failed=0
if ! $only_rust; then
    # The studio page, clicked through in headless Chromium (installed by the script).
    run_suite Browser tests/studio-browser.sh count_cargo
    # The sandbox's API against its own OpenAPI document: no server errors,
    # responses as documented (uses the aktiver-sim that cargo test built).
    run_suite API tests/sandbox/schemathesis.sh count_schemathesis
    run_suite Kotlin android-shim/test.sh count_surefire
    run_suite Swift ios-shim/test.sh count_xctest
fi

step "Summary"
printf '  Rust    %5d passed, %d failed\n' "$rust_passed" "$rust_failed"
$only_rust || printf '  Browser %5d passed, %d failed (studio in Chromium)\n' "$Browser_passed" "$Browser_failed"
$only_rust || printf '  API     %5d passed, %d failed (schemathesis cases and API walk checks)\n' "$API_passed" "$API_failed"
$only_rust || printf '  Kotlin  %5d passed, %d failed\n' "$Kotlin_passed" "$Kotlin_failed"
$only_rust || printf '  Swift   %5d passed, %d failed\n' "$Swift_passed" "$Swift_failed"
passed=$((rust_passed + Browser_passed + API_passed + Kotlin_passed + Swift_passed))
failed=$((rust_failed + Browser_failed + API_failed + Kotlin_failed + Swift_failed))
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
