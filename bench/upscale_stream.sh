#!/bin/sh
# `litesr upscale` of one large photo, streamed in bands vs decoded whole: wall time and peak RSS of each,
# their ratios, and a byte comparison of the two outputs (they must be identical). docs/benchmarks.md.
# Builds nothing: build `litesr` first. Run from the checkout root. Every argument is optional:
#   bench/upscale_stream.sh [LR width (4000)] [LR height (3000)] [output extension: jpg|png (jpg)] [model (elsr-x4)]
# The input is samples/sample.png enlarged with `litesr resize` to W x H (a JPEG, q 95); LITESR=path picks
# another binary. Needs GNU time (/usr/bin/time, Debian package `time`) for the peak RSS.
set -eu
LITESR=${LITESR:-build/release/src/cli/litesr}
W=${1:-4000}
H=${2:-3000}
EXT=${3:-jpg}
MODEL=${4:-elsr-x4}
[ -x /usr/bin/time ] || { echo "upscale_stream.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
"$LITESR" resize -i samples/sample.png -o "$DIR/in.jpg" --size "${W}x${H}" >/dev/null 2>&1
run() {  # mode -> "seconds max_rss_kb"
  /usr/bin/time -f "%e %M" -o "$DIR/$1.time" "$LITESR" upscale -i "$DIR/in.jpg" -o "$DIR/$1.$EXT" -n "$MODEL" \
    --stream "$1" -q 90 --progress none --overwrite 2>/dev/null
  cat "$DIR/$1.time"
}
set -- $(run always) $(run never)
echo "litesr upscale ${W}x${H} JPEG -> $EXT with $MODEL ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ))"
awk -v ts="$1" -v rs="$2" -v tw="$3" -v rw="$4" 'BEGIN {
  printf "  streamed : %7.2f s  peak RSS %8.1f MB\n", ts, rs / 1024
  printf "  whole    : %7.2f s  peak RSS %8.1f MB\n", tw, rw / 1024
  printf "  ratio    : %7.2fx faster, %.1fx less memory\n", tw / ts, rw / rs }'
if cmp -s "$DIR/always.$EXT" "$DIR/never.$EXT"; then echo "  outputs  : identical"; else echo "  outputs  : DIFFER"; exit 1; fi
