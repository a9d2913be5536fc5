#!/usr/bin/env bash
# Every test aktiver has: Rust (format, lints, unit, property, integration
# and doc tests), then Kotlin on the JVM and Swift with XCTest, both through
# the real native library. Installs what it needs (Maven downloads, the
# Swift toolchain) by itself. Prints a count per suite and a total line.
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

step "Rust: cargo test"
set +e
cargo test --workspace 2>&1 | tee "$logs/rust.log" | grep -E '^(test result:|     Running|   Doc-tests|failures:|---- )|panicked'
rust_status=${PIPESTATUS[0]}
set -e
rust_passed=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) if ($(i+1) ~ /^passed/) s += $i } END { print s + 0 }' "$logs/rust.log")
rust_failed=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) if ($(i+1) ~ /^failed/) s += $i } END { print s + 0 }' "$logs/rust.log")
[ "$rust_status" -eq 0 ] || rust_failed=$((rust_failed > 0 ? rust_failed : 1))
echo "Rust: $rust_passed passed, $rust_failed failed"

kotlin_passed=0 kotlin_failed=0 swift_passed=0 swift_failed=0
if ! $only_rust; then
    step "Kotlin: android-shim/test.sh"
    set +e
    android-shim/test.sh 2>&1 | tee "$logs/kotlin.log"
    kotlin_status=${PIPESTATUS[0]}
    set -e
    total=$(grep -E '^Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$logs/kotlin.log" | tail -1 || true)
    if [ -n "$total" ]; then
        run=$(sed -E 's/^Tests run: ([0-9]+).*/\1/' <<<"$total")
        bad=$(sed -E 's/.*Failures: ([0-9]+), Errors: ([0-9]+).*/\1+\2/' <<<"$total")
        kotlin_failed=$((bad))
        kotlin_passed=$((run - kotlin_failed))
    fi
    [ "$kotlin_status" -eq 0 ] || kotlin_failed=$((kotlin_failed > 0 ? kotlin_failed : 1))
    echo "Kotlin: $kotlin_passed passed, $kotlin_failed failed"

    step "Swift: ios-shim/test.sh"
    set +e
    ios-shim/test.sh 2>&1 | tee "$logs/swift.log"
    swift_status=${PIPESTATUS[0]}
    set -e
    total=$(grep -E 'Executed [0-9]+ tests?, with [0-9]+ failures?' "$logs/swift.log" | tail -1 || true)
    if [ -n "$total" ]; then
        run=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$total")
        swift_failed=$(sed -E 's/.*with ([0-9]+) failures?.*/\1/' <<<"$total")
        swift_passed=$((run - swift_failed))
    fi
    [ "$swift_status" -eq 0 ] || swift_failed=$((swift_failed > 0 ? swift_failed : 1))
    echo "Swift: $swift_passed passed, $swift_failed failed"
fi

step "Summary"
printf '  Rust    %5d passed, %d failed\n' "$rust_passed" "$rust_failed"
$only_rust || printf '  Kotlin  %5d passed, %d failed\n' "$kotlin_passed" "$kotlin_failed"
$only_rust || printf '  Swift   %5d passed, %d failed\n' "$swift_passed" "$swift_failed"
passed=$((rust_passed + kotlin_passed + swift_passed))
failed=$((rust_failed + kotlin_failed + swift_failed))
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
