#!/bin/bash
# End to end, wall clock: `litesr upscale` of a folder and of one photo to PNG, JPEG and WebP, beside ffmpeg's
# bicubic x4 scale of the same inputs to the same format (the I/O floor: decode, a cheap resize, encode), run
# interleaved in one run of this script; prints MP/s out, the ratio, and the output sizes. docs/benchmarks.md.
#   bench/upscale_e2e.sh [folder of LR images] [rounds (3)]
# Default folder: ../shared/data/sr_benchmark/BSD100/LR_bicubic/X2 (100 images of 240x160, 61 MP out at x4).
# The photo is samples/sample.png resized to 960x540 (x4 -> 3840x2160). Builds nothing: build `litesr` first;
# LITESR=path picks another binary, THREADS (2) the thread count of both, INPUTS ("folder photo") and
# FORMATS ("png jpg webp") a subset. Cases:
#   litesr            elsr-x4 (the fastest shipped model), the default pipelined folder and fast PNG (--png-level 1)
#   litesr-seq        --encoders 0: one file after another (the same bytes, checked)
#   litesr-libpng     --png-level 6: libpng's default compression (the encoder before the fast one)
#   ffmpeg            ffmpeg -vf scale=iw*4:ih*4:flags=bicubic to the same format
set -euo pipefail
LITESR=${LITESR:-build/release/src/cli/litesr}
FOLDER=${1:-../shared/data/sr_benchmark/BSD100/LR_bicubic/X2}
ROUNDS=${2:-3}
THREADS=${THREADS:-2}
INPUTS=${INPUTS:-folder photo}
FORMATS=${FORMATS:-png jpg webp}
command -v ffmpeg >/dev/null || { echo "upscale_e2e.sh: needs ffmpeg" >&2; exit 2; }
[ -d "$FOLDER" ] || { echo "upscale_e2e.sh: no folder $FOLDER (the shared SR data)" >&2; exit 2; }
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
mkdir -p "$DIR/photo"
"$LITESR" resize -i samples/sample.png -o "$DIR/photo/photo.png" --size 960x540 >/dev/null 2>&1
IN_MP=$(find "$FOLDER" -maxdepth 1 -name '*.png' | wc -l)

now() { date +%s.%N; }
# run NAME INPUT OUTDIR FORMAT -> seconds; outputs are left in OUTDIR for sizes
run_litesr() {  # case input out format extra-args...
  local in=$2 out=$3 fmt=$4; shift 4
  rm -rf "$out"; mkdir -p "$out"
  local t0; t0=$(now)
  "$LITESR" upscale -i "$in" -o "$out" -f "$fmt" -n elsr-x4 -j "$THREADS" --progress none -q 95 "$@" 2>/dev/null
  awk -v a="$(now)" -v b="$t0" 'BEGIN {printf "%.4f", a - b}' 
}
run_ffmpeg() {  # input out format
  local in=$1 out=$2 fmt=$3
  rm -rf "$out"; mkdir -p "$out"
  local codec=()
  case $fmt in
    jpg) codec=(-q:v 2) ;;
    webp) codec=(-quality 95) ;;
  esac
  local t0; t0=$(now)
  ffmpeg -v error -threads "$THREADS" -pattern_type glob -i "$in/*.png" -vf scale=iw*4:ih*4:flags=bicubic \
    "${codec[@]}" -start_number 0 "$out/%04d.$fmt"
  awk -v a="$(now)" -v b="$t0" 'BEGIN {printf "%.4f", a - b}' 
}
mp_out() { # folder -> megapixels of its images (PNG/JPEG/WebP), via ffprobe
  find "$1" -type f | while read -r f; do ffprobe -v error -show_entries stream=width,height -of csv=p=0 "$f"; done |
    awk -F, '{s += $1 * $2} END {printf "%.2f", s / 1e6}'
}
size_mb() { du -sb "$1" | awk '{printf "%.2f", $1 / 1e6}'; }

echo "litesr upscale end to end ($(nproc) cores, $THREADS threads, $(date -u +%Y-%m-%dT%H:%MZ), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
echo "folder: $FOLDER ($IN_MP images); photo: 960x540 PNG -> 3840x2160; best of $ROUNDS interleaved rounds"
printf "%-8s %-6s %-14s %9s %9s %10s %10s\n" input format case seconds "MP/s out" "size MB" "vs ffmpeg"
for input in $INPUTS; do
  src=$FOLDER; [ $input = photo ] && src=$DIR/photo
  for fmt in $FORMATS; do
    cases=(litesr litesr-seq ffmpeg)
    [ $fmt = png ] && cases=(litesr litesr-seq litesr-libpng ffmpeg)
    declare -A best=()
    for ((r = 0; r < ROUNDS; r++)); do
      for c in "${cases[@]}"; do
        case $c in
          litesr) t=$(run_litesr x "$src" "$DIR/$c" "$fmt") ;;
          litesr-seq) t=$(run_litesr x "$src" "$DIR/$c" "$fmt" --encoders 0) ;;
          litesr-libpng) t=$(run_litesr x "$src" "$DIR/$c" "$fmt" --png-level 6) ;;
          ffmpeg) t=$(run_ffmpeg "$src" "$DIR/$c" "$fmt") ;;
        esac
        if [[ -z ${best[$c]:-} ]] || awk -v t="$t" -v b="${best[$c]}" 'BEGIN {exit !(t < b)}'; then best[$c]=$t; fi
      done
    done
    if ! diff -rq "$DIR/litesr" "$DIR/litesr-seq" >/dev/null; then echo "pipelined and sequential outputs DIFFER" >&2; exit 1; fi
    mp=$(mp_out "$DIR/litesr")
    for c in "${cases[@]}"; do
      awk -v i=$input -v f=$fmt -v c=$c -v t="${best[$c]}" -v mp="$mp" -v sz="$(size_mb "$DIR/$c")" -v ff="${best[ffmpeg]}" \
        'BEGIN {printf "%-8s %-6s %-14s %9.3f %9.1f %10s %9.2fx\n", i, f, c, t, mp / t, sz, ff / t}'
    done
    unset best
  done
done
