#!/usr/bin/env bash
# Side-by-side: aktiver's MRZ reader against PassportEye (PyPI) with Debian's
# tesseract-ocr, on the same generated frames, both single-threaded.
#
#   tools/passporteye/compare.sh [N_PER_LEVEL] [SEED] [1080]
#
# Needs python3 with venv and tesseract (`apt-get install -y tesseract-ocr`).
# Everything it creates lives under $CARGO_TARGET_DIR (default: target/).
set -euo pipefail

N=${1:-30}
SEED=${2:-1}
SIZE=${3:-720}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK="$TARGET/passporteye/n${N}-s${SEED}-${SIZE}"
VENV="$TARGET/passporteye-venv"

if ! command -v tesseract >/dev/null; then
    echo "tesseract not found: apt-get install -y tesseract-ocr" >&2
    exit 2
fi
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import passporteye' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet passporteye
fi

cd "$ROOT"
size_arg=()
[ "$SIZE" = 1080 ] && size_arg=(1080)
echo "generating $N frames per level in $WORK ..." >&2
cargo run --quiet --release -p aktiver-scan-tools --bin export -- mrz "$WORK/frames" "$N" "$SEED" "${size_arg[@]}" >&2
cargo build --quiet --release -p aktiver-sim
echo "aktiver-sim mrz scan ..." >&2
# Exit status 1 only means some frame was not read; the table says how many.
"$TARGET/release/aktiver-sim" mrz scan "$WORK"/frames/*.png > "$WORK/aktiver.jsonl" || [ $? -eq 1 ]

# Tesseract may otherwise use every core; the comparison is per core.
OMP_THREAD_LIMIT=1 "$VENV/bin/python" "$HERE/compare.py" \
    --frames "$WORK/frames" --ours "$WORK/aktiver.jsonl" --cache "$WORK/passporteye.jsonl"
