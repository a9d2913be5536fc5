#!/usr/bin/env bash
# Property-based API test: schemathesis (PyPI) against the generated OpenAPI
# document and a fresh sandbox. Exits non-zero on any server error, schema,
# content-type or undocumented-status violation. Then api_walk.py walks every
# qualification method to a complete activation and breaks each rule once,
# every answer validated by schemathesis against the same document, and fails
# unless every operation was answered with a success at least once (random
# generation alone rarely gets past POST /v1/sessions: its identity numbers
# are not sandbox persons).
#
# Self-installing: schemathesis (and cryptography) are pip-installed once into a venv under the
# cargo target dir (cached; delete the venv or change ST_VERSION to refresh);
# aktiver-sim is built if missing. Needs python3 with venv, and network on
# the first run only.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
ST_VERSION="${ST_VERSION:-4.32.5}"
CRYPTOGRAPHY_VERSION=50.0.2  # api_walk.py's device keys (P-256 ECDSA)
VENV="$TARGET/schemathesis-venv-$ST_VERSION-cryptography-$CRYPTOGRAPHY_VERSION"
SIM="${AKTIVER_SIM:-$TARGET/debug/aktiver-sim}"
PORT="${PORT:-18444}"
EXAMPLES="${EXAMPLES:-50}"

if [ ! -x "$VENV/bin/st" ]; then
  echo "schemathesis: installing $ST_VERSION into $VENV" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$ST_VERSION" "cryptography==$CRYPTOGRAPHY_VERSION"
fi
if [ ! -x "$SIM" ]; then
  (cd "$ROOT" && cargo build -p aktiver-sim)
fi

DIR="$(mktemp -d)"
# One client (schemathesis) makes every call: the per-client limits are
# lifted so the rules under test are the activation's, not the rate limiter's.
printf '[rules]\nclient_requests_per_s = 100000.0\nclient_burst = 100000.0\nclient_session_starts_per_min = 100000.0\nsms_per_person = 100000\nsms_per_phone = 100000\nsms_per_phone_all_clients = 100000\nclient_password_work_per_min = 100000.0\nclient_password_work_burst = 100000.0\nsms_resend_cooldown_s = 2\n' >"$DIR/config.toml"
"$SIM" serve --addr "127.0.0.1:$PORT" --db "$DIR/st.sqlite" --config "$DIR/config.toml" --http >"$DIR/serve.out" 2>"$DIR/serve.err" &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 100); do grep -q listening "$DIR/serve.out" 2>/dev/null && break; sleep 0.2; done
if ! grep -q listening "$DIR/serve.out"; then
  echo "schemathesis: the sandbox did not start" >&2
  cat "$DIR/serve.err" >&2
  exit 1
fi
"$VENV/bin/st" run "$ROOT/core/protocol/openapi.json" --url "http://127.0.0.1:$PORT" \
  --max-examples "$EXAMPLES" \
  -c not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance || status=$?
"$VENV/bin/python" "$ROOT/tests/sandbox/api_walk.py" "http://127.0.0.1:$PORT" "$ROOT/core/protocol/openapi.json" "$SIM" "$DIR/st.sqlite" || status=$?
exit "${status:-0}"
