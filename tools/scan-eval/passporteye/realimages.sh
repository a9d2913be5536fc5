#!/usr/bin/env bash
# PassportEye (PyPI) with Debian's tesseract-ocr on the same real images and
# truth file as `realimages`, single-threaded:
#
#   tools/scan-eval/fetch-passporteye.sh && tools/scan-eval/passporteye/realimages.sh
#   tools/scan-eval/fetch-heldout.sh && tools/scan-eval/passporteye/realimages.sh \
#       target/realimages/heldout tools/scan-eval/data/heldout.tsv
#
# Arguments: [DIR [TRUTH]], by default PassportEye's own images and truth.
# Needs python3 with venv and tesseract (`apt-get install -y tesseract-ocr`);
# the venv lives under $CARGO_TARGET_DIR (default: target/).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
VENV="$TARGET/passporteye-venv"
if ! command -v tesseract >/dev/null; then
    echo "tesseract not found: apt-get install -y tesseract-ocr" >&2
    exit 2
fi
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import passporteye' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet passporteye
fi
DIR=${1:-$TARGET/realimages/passporteye}
TRUTH=${2:-$ROOT/tools/scan-eval/data/passporteye.tsv}
OMP_THREAD_LIMIT=1 "$VENV/bin/python" "$HERE/realimages.py" --dir "$DIR" --truth "$TRUTH"
