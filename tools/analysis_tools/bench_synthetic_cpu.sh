#!/usr/bin/env bash
# The CPU comparisons of docs/model_zoo.md, run one after another: every fusion
# head trained with view dropout, the label-prompted reference and the two
# label-free prompt selections, each evaluated on the held-out subjects with
# every view, with each view dropped and with one view only
# (tools/analysis_tools/eval_view_drop.py), for each seed in $SEEDS.
# Needs the 32 px cache:
#   python tools/prepare_data.py configs/benchmarks/synthetic_bu3dfe_32px_e10/smile_vlm.py --workers 2
# Usage: bash tools/analysis_tools/bench_synthetic_cpu.sh [RUN ...]   (default: all)
# Results: $OUT/<run>_s<seed>/view_drop.json, then the tables:
#   python tools/analysis_tools/model_index.py --collect "$OUT"
# One thread per process: on a shared 2-core machine two OpenMP threads per
# process made a step ~10x slower than one (measured).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-python}
OUT=${OUT:-work_dirs/zoo_bench}
SEEDS=${SEEDS:-0 1 2}
DIR=configs/benchmarks/synthetic_bu3dfe_32px_e10
export HF_HUB_OFFLINE=${HF_HUB_OFFLINE:-1} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
mkdir -p "$OUT"

declare -A CFG OPTS
CFG[vd_attention]=$DIR/smile_vlm_view_dropout.py;   OPTS[vd_attention]=""
CFG[vd_mean]=$DIR/smile_vlm_view_dropout.py;        OPTS[vd_mean]="model.fusion.type=MeanFusion"
CFG[vd_max]=$DIR/smile_vlm_view_dropout.py;         OPTS[vd_max]="model.fusion.type=MaxFusion"
CFG[vd_gated]=$DIR/smile_vlm_view_dropout.py;       OPTS[vd_gated]="model.fusion.type=GatedFusion"
CFG[vd_xview]=$DIR/smile_vlm_view_dropout.py;       OPTS[vd_xview]="model.fusion.type=CrossViewTransformerFusion"
CFG[label]=$DIR/smile_vlm.py;                       OPTS[label]=""
CFG[lf_zero_shot]=$DIR/smile_vlm_label_free.py;     OPTS[lf_zero_shot]=""
CFG[lf_cluster]=$DIR/smile_vlm_label_free.py;       OPTS[lf_cluster]="model.prompt_selection=cluster"
ORDER=(vd_attention vd_mean vd_max vd_gated vd_xview label lf_zero_shot lf_cluster)

for seed in $SEEDS; do
  for name in "${@:-${ORDER[@]}}"; do
    run=${name}_s$seed
    work=$OUT/$run
    if [ -f "$work/view_drop.json" ]; then echo "$run: done already"; continue; fi
    opts=(--cfg-options randomness.seed=$seed ${OPTS[$name]})
    echo "$run: training ${CFG[$name]} ${opts[*]}"
    start=$(date +%s)
    $PY tools/train.py "${CFG[$name]}" --work-dir "$work" "${opts[@]}" > "$OUT/$run.train.log" 2>&1
    secs=$(( $(date +%s) - start ))
    $PY tools/analysis_tools/eval_view_drop.py "${CFG[$name]}" "$(cat "$work/last_checkpoint")" \
        --out "$work/view_drop.json" --train-seconds "$secs" "${opts[@]}" > "$OUT/$run.eval.log" 2>&1
    echo "$run: $(tr -d '\n ' < "$work/view_drop.json" | cut -c1-60)  (${secs} s)"
  done
done
