#!/usr/bin/env bash
# Fetches the public test images of konstantint/PassportEye (MIT licence,
# Copyright (c) 2016 Konstantin Tretyakov) at a pinned commit into
# target/realimages/passporteye/ for `realimages`. The images are specimen
# documents collected by that project; they are not kept in this repository.
#
#   tools/scan-eval/fetch-passporteye.sh [GIT_DIR]
#
# GIT_DIR: an existing clone (bare or not) to read from instead of GitHub.
set -euo pipefail
COMMIT=d866f1b0c4cb182b4332739d7098d81225c31179
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${CARGO_TARGET_DIR:-$ROOT/target}/realimages/passporteye
SRC=${1:-}
if [ -z "$SRC" ]; then
    SRC=${CARGO_TARGET_DIR:-$ROOT/target}/realimages/PassportEye.git
    [ -d "$SRC" ] || git clone --quiet --bare https://github.com/konstantint/PassportEye "$SRC"
fi
mkdir -p "$OUT"
git --git-dir="$(git -C "$SRC" rev-parse --absolute-git-dir)" ls-tree -r --name-only "$COMMIT" |
    grep -E '^(passporteye/mrz/testdata/|tests/data/).*\.(jpg|png)$' |
    while read -r path; do
        git -C "$SRC" show "$COMMIT:$path" > "$OUT/$(basename "$path")"
    done
echo "$(ls "$OUT" | wc -l) images in $OUT"
