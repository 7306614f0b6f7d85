#!/usr/bin/env bash
# pfvit-ferplus-small-v8: v6 with a convolutional branch in E that we train ourselves (issue 15's
# "convolutional stem"). A small residual CNN (pfvit/conv_trunk.py) is first trained alone on FERPlus
# Train from scratch; its trunk, batch norms folded, then adds a 7x7 map of its features to v6's patch
# tokens (face_stem.py, kind conv_trunk) through a projection that starts at zero, so training starts
# from v6's exact outputs. Then WiSE-FT and calibration as for v6; G stays v6's (step 4 says why).
#
#   bash training/recipes/cpu-v8.sh            # everything
#   R=/somewhere bash training/recipes/cpu-v8.sh
#   BASELINE=1 bash training/recipes/cpu-v8.sh # also the same-budget ViT baseline, with the same trunk
#   V=9 TRUNK_EPOCHS=32 bash training/recipes/cpu-v8.sh  # the same recipe with a CNN trained twice as
#                                              # long, under v9's run folders and id: the default
#                                              # pfvit-ferplus-small-v9 (add BASELINE=1 for its baseline)
#
# A stopped step resumes by running this script again (each training step goes on from its
# last.pt, training/README.md "Resume"); finished steps are skipped. Selection uses FERPlus Valid
# only; FERPlus test, muxspace_fe and the independent judges are measured once, through the app,
# afterwards (the commands at the end).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-/usr/bin/python3}
R=${R:-/work/pf-runs}
V=${V:-8}                       # names the run folders ($R/v8-trunk, …), the id and the version
TRUNK_EPOCHS=${TRUNK_EPOCHS:-16}
ID=${ID:-pfvit-ferplus-small-v$V}
mkdir -p "$R"
. training/recipes/model-folder.sh
V6=$(model_folder pfvit-ferplus-small-v6 "$R")
cd training

# A step is done when its log says all its epochs ran (best.pt exists from the first epoch on, so it
# cannot tell); a step stopped midway (a session ending) goes on from its last.pt.
finished() { grep -qs '"reason": "epochs"' "$1/log.jsonl"; }
# resume sets RESUME to `--resume <folder>` where the step has a last.pt (an array, so a runs folder
# with spaces stays one argument), else to nothing.
resume() { RESUME=(); if [ -f "$1/last.pt" ]; then RESUME=(--resume "$1"); fi; }

# v6's data flags: votes as a distribution, class weights (1/frequency)^0.5, strong augmentation with
# crops down to 60 %, best.pt by the mean of Valid accuracy and mean per-class recall.
DATA=(--labels soft --balance 0.5 --augment strong --crop-scale 0.6 --select balanced --threads 2 --quiet)

# 0. The warm start: E, S, C and G exactly as v6's graphs compute them (C with v6's tau and T folded in).
[ -f "$R/v6-imported.pt" ] || $PY import_onnx.py --model "$V6" --out "$R/v6-imported.pt"

# 1. The CNN alone, from scratch: AdamW lr 2e-3, batch 64, TRUNK_EPOCHS (16) on a cosine.
resume "$R/v$V-trunk"
finished "$R/v$V-trunk" || nice -n 19 $PY train_conv_trunk.py "${DATA[@]}" --lr 2e-3 --epochs "$TRUNK_EPOCHS" \
  --out "$R/v$V-trunk" "${RESUME[@]}"

# 2. Classifier phase: its trunk joins v6's E (projection at zero); E, S, C and the branch train on.
resume "$R/v$V-cls"
finished "$R/v$V-cls" || nice -n 19 $PY train_pfvit.py --warm-start "$R/v6-imported.pt" \
  --face-stem conv_trunk --stem-from "$R/v$V-trunk/best.pt" --lr-stem "${LR_STEM:-2e-4}" --lr 5e-5 \
  --lr-schedule cosine --warmup-epochs 0.3 --epochs "${EPOCHS:-6}" \
  --ortho none --w-adv 0 --w-rec 0 --w-rec-neutral 0 "${DATA[@]}" --out "$R/v$V-cls" "${RESUME[@]}"

# 3. WiSE-FT from v6 (where the branch's projection is zero) to step 2, each point calibrated on Valid.
[ -f "$R/v$V-wise.pt" ] || $PY interpolate_weights.py --start "$R/v6-imported.pt" --tuned "$R/v$V-cls/best.pt" \
  --alphas 0.2,0.4,0.5,0.6,0.7,0.8,0.9,1.0 --flip-average --out "$R/v$V-wise.pt" > "$R/v$V-wise.json"

# 4. No generator phase: G is v6's as it shipped, on the new E. One more epoch of v6's recipe on the new
#    E, S, C (train_pokerface.py --warm-start v8-wise.pt --generator-from v6-imported.pt --epochs 1, 10.4
#    min) taught G to paint a dark patch over one eye of surprised, fearful and angry faces (FERPlus Valid
#    grid), which our new classifier reads as neutral: fooling, not a poker face. Not shipped (v8's card).

# 5. Export (fp32) and the int8 copy (skipped where the folder exists: its model.json holds the figures
#    recorded afterwards).
if [ ! -f "../resources/models/$ID/model.json" ]; then
  $PY export_onnx.py --checkpoint "$R/v$V-wise.pt" --id "$ID" --name "PF-ViT 192x6 + conv trunk (FERPlus, v$V)" \
    --version "0.$V.0"
  $PY quantize_onnx.py --model "../resources/models/$ID"
fi

# 6. The same-budget ViT baseline: the same encoder (with the same trunk) and C as its head, from v6,
#    the same flags and budget, no separator; its alpha chosen and calibrated the same way.
if [ "${BASELINE:-0}" = 1 ]; then
  resume "$R/v$V-vit"
  finished "$R/v$V-vit" || nice -n 19 $PY train_vit.py --from-pfvit "$R/v6-imported.pt" \
    --face-stem conv_trunk --stem-from "$R/v$V-trunk/best.pt" --lr-stem "${LR_STEM:-2e-4}" --lr 5e-5 \
    --lr-schedule cosine --warmup-epochs 0.3 --epochs "${EPOCHS:-6}" "${DATA[@]}" --out "$R/v$V-vit" "${RESUME[@]}"
  [ -f "$R/v$V-vit-wise.pt" ] || $PY interpolate_weights.py --start "$R/v6-imported.pt" \
    --tuned "$R/v$V-vit/best.pt" --alphas 0.2,0.4,0.5,0.6,0.7,0.8,0.9,1.0 --flip-average \
    --out "$R/v$V-vit-wise.pt" > "$R/v$V-vit-wise.json"
  [ -f "$R/models/vit-ferplus-small-v$V-baseline/model.json" ] || \
    $PY export_onnx.py --checkpoint "$R/v$V-vit-wise.pt" --id "vit-ferplus-small-v$V-baseline" \
      --name "ViT 192x6 + conv trunk baseline (same budget as v$V)" --version "0.$V.0" \
      --out "$R/models/vit-ferplus-small-v$V-baseline"
fi

# 7. Measure through the app (from the repository root), then record the figures in model.json and
#    MODEL_CARD.md:
#    npm run eval -- --model resources/models/$ID --out $R/v$V-test.json --grid docs/pfvit-ferplus-test-faces.png \
#        --paired-with resources/models/pfvit-ferplus-small-v6
#    npm run eval -- --model resources/models/$ID --out $R/v$V-vs-vit.json --no-generate \
#        --paired-with $R/models/vit-ferplus-small-v$V-baseline
#    npm run eval -- --model resources/models/$ID-int8 --out $R/v$V-int8-test.json --no-generate
#    npm run eval -- ../shared/data/muxspace_fe --model resources/models/$ID --no-generate --out $R/v$V-mux.json
#    npm run bench:pokerface -- --model resources/models/$ID --keep        # prints the folder it keeps
#    npm run bench:noise -- --model resources/models/$ID
