#!/usr/bin/env bash
# The app's default model, end to end: MAE on FERPlus train + valid images (labels unused, no test
# images) → PF-ViT on FERPlus train (chosen on valid) → the same-budget ViT baseline → test once →
# export to resources/models/. Every step resumes from its last checkpoint and is skipped once done,
# so rerunning this script after a stop (Ctrl-C, kill, end of a session) picks up where it was.
#
#   RUNS=/work/pf-runs bash training/recipes/ferplus-default.sh          # all steps
#   STEPS="mae pfvit" bash training/recipes/ferplus-default.sh            # some steps
#
# Settings (env): RUNS (run folders; keep them outside the repository so a fresh checkout keeps
# them), PRESET (cpu_small), MAE_EPOCHS (20), EPOCHS (PF-ViT and baseline, 10), THREADS (2),
# PF_DATA_DIR (folder holding ferplus/), NICE (10).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
PY=/usr/bin/python3
RUNS=${RUNS:-/work/pf-runs}
PRESET=${PRESET:-cpu_small}
MAE_EPOCHS=${MAE_EPOCHS:-20}
EPOCHS=${EPOCHS:-10}
THREADS=${THREADS:-2}
NICE=${NICE:-10}
STEPS=${STEPS:-"mae pfvit vit eval export"}
DATA=${PF_DATA_DIR:-$repo/../shared/data}
run() { echo "+ $*" >&2; nice -n "$NICE" "$@"; }
done_mark() { test -f "$1/DONE"; }
resume_flag() { if [ -f "$1/last.pt" ]; then echo "--resume $1"; fi; }

# MAE sees FER2013Train and FER2013Valid images through a folder of links (the data stays where it is).
mae_images="$RUNS/mae-images"
if [ ! -d "$mae_images/valid" ]; then
  mkdir -p "$mae_images/train" "$mae_images/valid"
  find "$DATA/ferplus/FER2013Train" -name '*.png' -exec ln -sf {} "$mae_images/train/" \;
  find "$DATA/ferplus/FER2013Valid" -name '*.png' -exec ln -sf {} "$mae_images/valid/" \;
fi

for step in $STEPS; do
  case $step in
    mae)
      out="$RUNS/mae"; done_mark "$out" && continue
      run $PY training/train_mae.py --preset "$PRESET" --images "$mae_images" --epochs "$MAE_EPOCHS" \
        --threads "$THREADS" --checkpoint-minutes 5 --out "$out" --quiet $(resume_flag "$out")
      touch "$out/DONE" ;;
    pfvit)
      out="$RUNS/pfvit"; done_mark "$out" && continue
      run $PY training/train_pfvit.py --preset "$PRESET" --init "$RUNS/mae/last.pt" --epochs "$EPOCHS" \
        --threads "$THREADS" --checkpoint-minutes 5 --out "$out" --quiet $(resume_flag "$out")
      touch "$out/DONE" ;;
    vit)
      out="$RUNS/vit"; done_mark "$out" && continue
      run $PY training/train_vit.py --preset "$PRESET" --init "$RUNS/mae/last.pt" --epochs "$EPOCHS" \
        --threads "$THREADS" --checkpoint-minutes 5 --out "$out" --quiet $(resume_flag "$out")
      touch "$out/DONE" ;;
    eval)
      for kind in pfvit vit; do
        [ -f "$RUNS/$kind/best.pt" ] || continue
        run $PY training/evaluate.py --checkpoint "$RUNS/$kind/best.pt" --threads "$THREADS" \
          --out "$RUNS/$kind/test-metrics.json" > /dev/null
      done ;;
    export)
      run $PY training/export_onnx.py --checkpoint "$RUNS/pfvit/best.pt" --id pfvit-ferplus-cpu-small \
        --name "PF-ViT 192x6 (FERPlus)" --metrics "$RUNS/pfvit/test-metrics.json" ;;
    *) echo "unknown step: $step" >&2; exit 2 ;;
  esac
done
