#!/usr/bin/env bash
# The scanner on frames of the independent renderer (Pillow + Debian's
# fonts-ocr-b; nothing shared with core/scan/src/synth):
#
#   tools/scan-eval/independent/run.sh [BURSTS] [NEGATIVES] [SEED] [turned]
#
# `turned`: the same frames turned by 0, 90, 180 and 270 degrees while the
# shell passes rotation 0 (the `turned` tool), instead of the usual table.
#
# Needs python3 with venv and fonts-ocr-b (`apt-get install -y fonts-ocr-b`);
# the venv (Pillow) and the frames live under $CARGO_TARGET_DIR (default target/).
set -euo pipefail
BURSTS=${1:-40}
NEG=${2:-20}
SEED=${3:-1}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
VENV="$TARGET/independent-venv"
OUT="$TARGET/independent/b${BURSTS}-n${NEG}-s${SEED}"
if [ ! -f /usr/share/fonts/opentype/ocr-b/OCRB.otf ]; then
    echo "OCR-B not found: apt-get install -y fonts-ocr-b" >&2
    exit 2
fi
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import PIL' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet pillow
fi
PYTHONDONTWRITEBYTECODE=1 "$VENV/bin/python" -m unittest discover -s "$HERE" -p 'test_*.py' >&2
# Frames rendered by an older render.py are rendered again.
STAMP=$(sha256sum "$HERE/render.py" | cut -c1-16)
if [ ! -f "$OUT/labels.tsv" ] || [ "$(cat "$OUT/render.sha256" 2>/dev/null)" != "$STAMP" ]; then
    rm -rf "$OUT"
    "$VENV/bin/python" "$HERE/render.py" --out "$OUT" --bursts "$BURSTS" --negatives "$NEG" --seed "$SEED" >&2
    echo "$STAMP" >"$OUT/render.sha256"
fi
cd "$ROOT"
if [ "${4:-}" = turned ]; then
    cargo run --quiet --release -p aktiver-scan-tools --bin turned -- independent "$OUT" --runs 3
else
    cargo run --quiet --release -p aktiver-scan-tools --bin independent -- "$OUT" --runs 3
fi
