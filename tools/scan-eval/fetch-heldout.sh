#!/usr/bin/env bash
# Fetches a held-out set of real MRZ images, the test and example images of
# public MRZ projects other than PassportEye, at pinned commits into
# target/realimages/heldout/ for `realimages`. Nobody tuned the scanner on
# them. Each file name starts with its source's prefix so names never collide.
# The images are not kept in this repository; sources and licences:
#
#   prefix      repository                                        licence
#   imagejs_    image-js/mrz-detection                            MIT
#   yushulx_    yushulx/python-mrz-scanner-sdk                    MIT
#   kundestyrt_ kundestyrt-gruppe-5-2022/passport-mrz-reader-public MIT
#   arg0s1080_  Arg0s1080/mrz                                     GPL-3.0
#   fastmrz_    sivakumar-mahalingam/fastmrz                      AGPL-3.0
#
# The GPL/AGPL images are fetched and used locally only, never redistributed.
# Left out on purpose: images that duplicate PassportEye's (the same photo
# cropped or rescaled), more copies of the ICAO "ERIKSSON ANNA MARIA" specimen,
# documents not marked as specimens, synthetic renders in other fonts, and
# sources whose licence forbids this use (DoubangoTelecom/ultimateMRZ-SDK:
# non-commercial only). Ground truth: tools/scan-eval/data/heldout.tsv.
#
#   tools/scan-eval/fetch-heldout.sh [MIRROR_DIR]
#
# MIRROR_DIR: a directory of existing clones (bare or not) named OWNER+NAME,
# OWNER+NAME.git or OWNER+NAME/repo, read instead of GitHub.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$TARGET/realimages/heldout
CLONES=$TARGET/realimages/heldout-src
MIRROR=${1:-}
mkdir -p "$OUT"

# git_dir OWNER/NAME COMMIT: a git directory holding COMMIT, cloned if need be.
git_dir() {
    local key=${1/\//+} dir
    if [ -n "$MIRROR" ]; then
        for dir in "$MIRROR/$key/repo" "$MIRROR/$key" "$MIRROR/$key.git"; do
            if [ -d "$dir" ] && git -C "$dir" cat-file -e "$2^{commit}" 2>/dev/null; then
                git -C "$dir" rev-parse --absolute-git-dir
                return
            fi
        done
        echo "no clone of $1 holding $2 in $MIRROR" >&2
        return 1
    fi
    dir=$CLONES/$key.git
    if [ ! -d "$dir" ]; then
        mkdir -p "$CLONES"
        git clone --quiet --bare --filter=blob:none "https://github.com/$1" "$dir"
    fi
    echo "$dir"
}

# take OWNER/NAME COMMIT PREFIX ROOT PATH...: copies each PATH (under ROOT) to
# OUT/PREFIX + its path below ROOT with / turned into _.
take() {
    local repo=$1 commit=$2 prefix=$3 root=$4 dir path rel
    shift 4
    dir=$(git_dir "$repo" "$commit")
    for path in "$@"; do
        rel=${path#"$root"}
        git --git-dir="$dir" show "$commit:$root$rel" > "$OUT/$prefix${rel//\//_}"
    done
}

take image-js/mrz-detection f86da8f7ea14960d4fab9de22da5cc02098b678e \
    imagejs_ src/__tests__/fixtures/ id1.jpg id2.jpg id_fail.png
take yushulx/python-mrz-scanner-sdk 326b0bc9c8c43f9d45b25b1721c44e646376ac4e \
    yushulx_ images/ 4.png
take kundestyrt-gruppe-5-2022/passport-mrz-reader-public 153983276ef9ce8d113a20d7c38dc2a9e6c29cf9 \
    kundestyrt_ "data/images/PRADO MRZ/" 25899.jpeg 28112.jpeg
take Arg0s1080/mrz c462e0c8ca72f0396b9d1d17062434cd1c32b76a arg0s1080_ docs/images/ \
    id_cards/Latvia.png id_cards/Liechtenstein.png id_cards/Lithuania.png \
    id_cards/Malta_BAD.png id_cards/Monaco.png id_cards/Serbia.png id_cards/Spain.png \
    id_cards/Sweden.png other/USA_Border_Crosser.png \
    passports/Iceland.png passports/Interpol.png passports/Japan.png passports/Qatar.png \
    passports/Ukraine.png passports/ICAO_Example2.png \
    resident_cards/France.png resident_cards/Germany.png resident_cards/Netherland.png \
    resident_cards/Portugal.png resident_cards/UK.png resident_cards/USA.png \
    resident_cards/USA_Permanent.png \
    visas/France.png visas/MRVA_ICAO_Example.png visas/MRVB_ICAO_Example.png visas/USA.png
take sivakumar-mahalingam/fastmrz bb1d4ee38eb1eaa88cd80e1eba88bacc1842cd76 \
    fastmrz_ data/ td2.jpg passport_uk.jpg nomrz.jpg
echo "$(ls "$OUT" | wc -l) images in $OUT"
