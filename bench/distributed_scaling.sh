#!/bin/bash
# Data-parallel training speed (docs/benchmarks.md "Data-parallel training"): iterations/s of the same training
# run as 1 rank x 1 thread, 1 rank x 2 threads (-j2) and 2 ranks x 1 thread (`litesr train --nproc 2`; and the
# same with --no-cpu-bind, "2x1u"), for the
# CPU recipes' networks at their batch and patch sizes; the scaling efficiency of 2 ranks, and where a 2-rank step's
# time goes (the trainer's "dist_*" train-log keys: forward, backward, exposed all-reduce).
#   bench/distributed_scaling.sh [iterations (240)] [rounds (2)]
# Cases (one-stage recipes written here from recipes/*.toml, on their data, T91 + BSD200, without validation):
#   elsr_x2_b16_p64    elsr_x4_cpu.toml stage I   (ELSR x2, batch 16, HR patch 64, L1)
#   elsr_x4_b32_p96    elsr_x4_cpu.toml stage II  (ELSR x4, batch 32, HR patch 96, L1)
#   sam_sr_xlite_b16   sam_sr_xlite_x4_cpu.toml   (SAM-SR XLITE x4, BN, batch 16, HR patch 96, L1)
# it/s is the mean of the log windows after the first (warm-up, data loading excluded). Configurations are
# interleaved within a round; the best round is reported (the machine is shared). Builds nothing: build
# litesr-torch first. LITESR=path picks the binary, DATA the data folder, CASES a subset, BUCKET_KB the bucket size.
set -euo pipefail
LITESR=${LITESR:-build/release/src/cli/litesr-torch}
DATA=${DATA:-../shared/data}
ITERS=${1:-240}
ROUNDS=${2:-2}
CASES=${CASES:-elsr_x2_b16_p64 elsr_x4_b32_p96 sam_sr_xlite_b16}
BUCKET_KB=${BUCKET_KB:-1024}
[ -x "$LITESR" ] || { echo "distributed_scaling.sh: no $LITESR (build litesr-torch, or set LITESR)" >&2; exit 2; }
[ -d "$DATA/train/T91" ] || { echo "distributed_scaling.sh: no $DATA/train/T91 (the shared data; set DATA)" >&2; exit 2; }
DATA=$(cd "$DATA" && pwd)
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
LOG_EVERY=$((ITERS / 6))

recipe() {  # case -> recipe file
  local name=$1 model stage
  case $name in
    elsr_x2_b16_p64) model='arch = "elsr"
scale = 2
channels = 6'
      stage='scale = 2
loss = "l1"
patch = 64
batch = 16
lr = 5e-3' ;;
    elsr_x4_b32_p96) model='arch = "elsr"
scale = 4
channels = 6'
      stage='scale = 4
loss = "l1"
patch = 96
batch = 32
lr = 2e-3' ;;
    sam_sr_xlite_b16) model='arch = "sam_sr"
scale = 4
nf = 16
n = 8
se = true
bn = true
bicubic_a = -0.75
se_gate = "hard_sigmoid"
upsampler = "candidate_a"'
      stage='loss = "l1"
patch = 96
batch = 16
lr = 2e-3
betas = [0.9, 0.99]' ;;
    *) echo "unknown case $name" >&2; exit 2 ;;
  esac
  cat > "$DIR/$name.toml" <<EOF
name = "$name"
seed = 1
checkpoint_every = 1000000
log_every = $LOG_EVERY
[model]
$model
[data]
kind = "hr_folders"
hr_dirs = ["$DATA/train/T91", "$DATA/train/BSD200"]
lr_border = "replicate"
loader_threads = 1
[[stages]]
$stage
iterations = 1000000
EOF
  echo "$DIR/$name.toml"
}

# run CASE CONFIG -> "it/s step_ms fwd_ms bwd_ms exposed_ms bn_ms grad_exposed_ms grad_busy_ms" (last three: 2 ranks)
run() {
  local name=$1 config=$2 out="$DIR/run"
  rm -rf "$out"
  case $config in
    1x1) "$LITESR" train --recipe "$DIR/$name.toml" --out "$out" --progress none -j1 --stop-after "$ITERS" >/dev/null ;;
    1x2) "$LITESR" train --recipe "$DIR/$name.toml" --out "$out" --progress none -j2 --stop-after "$ITERS" >/dev/null ;;
    2x1) "$LITESR" train --recipe "$DIR/$name.toml" --out "$out" --progress none -j1 --nproc 2 \
           --bucket-kb "$BUCKET_KB" --stop-after "$ITERS" >/dev/null 2>&1 ;;
    2x1u) "$LITESR" train --recipe "$DIR/$name.toml" --out "$out" --progress none -j1 --nproc 2 --no-cpu-bind \
           --bucket-kb "$BUCKET_KB" --stop-after "$ITERS" >/dev/null 2>&1 ;;
  esac
  python3 - "$out/train_log.jsonl" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if '"train"' in l]
rows = rows[1:] or rows  # the first window holds the warm-up
mean = lambda k: sum(r.get(k, 0.0) for r in rows) / len(rows)
print("%.3f %.2f %.2f %.2f %.3f %.3f %.3f %.3f" % (mean("it_per_s"), mean("dist_step_ms"), mean("dist_forward_ms"),
      mean("dist_backward_ms"), mean("dist_allreduce_exposed_ms"), mean("dist_bn_sync_ms"),
      mean("dist_grad_exposed_ms"), mean("dist_grad_busy_ms")))
EOF
}

echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg); $ITERS iterations, $ROUNDS rounds, bucket $BUCKET_KB KiB"
printf "%-18s %8s %8s %8s %9s %9s %9s %9s %10s %10s %8s %9s %9s\n" case "1x1 it/s" "1x2 it/s" "2x1 it/s" "2x1u it/s" \
  "2x1/1x1" "effic." "1x2/1x1" "2x1 step" "exposed" "share" "bn sync" "grad exp"
for name in $CASES; do
  recipe "$name" >/dev/null
  best11=0; best12=0; best21=0; best21u=0; detail=""
  for ((r = 0; r < ROUNDS; ++r)); do
    a=$(run "$name" 1x1); b=$(run "$name" 1x2); c=$(run "$name" 2x1); u=$(run "$name" 2x1u)
    best11=$(python3 -c "print(max($best11, ${a%% *}))")
    best12=$(python3 -c "print(max($best12, ${b%% *}))")
    best21u=$(python3 -c "print(max($best21u, ${u%% *}))")
    if python3 -c "import sys; sys.exit(0 if ${c%% *} > $best21 else 1)"; then best21=${c%% *}; detail=$c; fi
  done
  read -r _ step fwd bwd exposed bn gexp gbusy <<<"$detail"
  python3 -c "
s11, s12, s21, s21u = $best11, $best12, $best21, $best21u
step, exposed, bn, gexp = $step, $exposed, $bn, $gexp
print('%-18s %8.2f %8.2f %8.2f %9.2f %8.2fx %8.0f%% %8.2fx %8.1fms %8.2fms %7.1f%% %7.2fms %7.2fms' % ('$name', s11, s12,
      s21, s21u, s21 / s11, 50 * s21 / s11, s12 / s11, step, exposed, 100 * exposed / step, bn, gexp))"
done
