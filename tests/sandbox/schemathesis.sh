#!/usr/bin/env bash
# Property-based API test: schemathesis (PyPI) against the generated OpenAPI
# document and a fresh sandbox. Fails on any server error, schema, content-type
# or undocumented-status violation.
# Needs `st` on PATH (pip install schemathesis) and a built aktiver-sim.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SIM="${AKTIVER_SIM:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/aktiver-sim}"
PORT="${PORT:-18444}"
EXAMPLES="${EXAMPLES:-50}"
DIR="$(mktemp -d)"
"$SIM" serve --addr "127.0.0.1:$PORT" --db "$DIR/st.sqlite" --http >"$DIR/serve.out" 2>"$DIR/serve.err" &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 100); do grep -q listening "$DIR/serve.out" 2>/dev/null && break; sleep 0.2; done
st run "$ROOT/core/protocol/openapi.json" --url "http://127.0.0.1:$PORT" --max-examples "$EXAMPLES" \
  -c not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance
