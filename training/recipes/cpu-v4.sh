#!/usr/bin/env bash
# pfvit-ferplus-small-v4: v3 fine-tuned on two CPU cores, from v3's shipped graphs (no checkpoint of
# v3's run survives; import_onnx.py reads the weights back out of resources/models/.../*.onnx).
#
#   bash training/recipes/cpu-v4.sh            # everything, about 25 minutes on 2 idle cores
#   R=/somewhere bash training/recipes/cpu-v4.sh
#
# Every training step writes checkpoints and log.jsonl under $R; a stopped step resumes with the
# same command plus `--resume <its run folder>` (see training/README.md, "Resume").
# Selection uses FERPlus Valid only (best.pt by the mean of accuracy and mean per-class recall; tau
# and T of calibrate.py). FERPlus test and muxspace_fe are measured once, through the app, afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-/usr/bin/python3}
R=${R:-/work/pf-runs}
SOURCE=${SOURCE:-resources/models/pfvit-ferplus-small-v3}
ID=${ID:-pfvit-ferplus-small-v4}
mkdir -p "$R"
cd training

# 0. The warm start: E, S, C and G exactly as v3's graphs compute them (D is not shipped).
$PY import_onnx.py --model "../$SOURCE" --out "$R/v3-imported.pt"

# 1. Classifier phase (E, S, C; G and D skipped): the ten FERPlus votes as a distribution, class
#    weights (1/frequency)^0.3, v3's own augmentation (crop 80-100 %, flip), lr 3e-5 for 3 epochs
#    then 3e-6 for one. ~2 min an epoch at ~220 img/s.
nice -n 19 $PY train_pfvit.py --warm-start "$R/v3-imported.pt" \
  --ortho none --w-adv 0 --w-rec 0 --w-rec-neutral 0 --labels soft --balance 0.3 \
  --select balanced --lr 3e-5 --epochs 4 --lr-drop-epoch 3 --threads 2 --quiet --out "$R/v4-cls"

# 2. Generator phase: G alone learns again to decode the new encoder (E, S, C frozen), on v3's
#    reconstruction terms. ~2 min an epoch.
nice -n 19 $PY train_pfvit.py --warm-start "$R/v4-cls/best.pt" \
  --freeze encoder,separator,classifier --w-emo 0 --ortho none --w-adv 0 --w-rec 1 --w-rec-neutral 1 \
  --lr 5e-5 --epochs 2 --lr-drop-epoch 1 --threads 2 --quiet --out "$R/v4-gen"

# 3. Test-time flip averaging, logit adjustment (tau) and temperature (T), fitted on FERPlus Valid
#    and folded into C.
$PY calibrate.py --checkpoint "$R/v4-gen/last.pt" --out "$R/v4-calibrated.pt" --flip-average \
  > "$R/v4-calibration.json"

# 4. Export (fp32) and the int8 copy.
$PY export_onnx.py --checkpoint "$R/v4-calibrated.pt" --id "$ID" --name "PF-ViT 192x6 (FERPlus, v4)" \
  --version 0.4.0
$PY quantize_onnx.py --model "../resources/models/$ID"

# 5. Measure through the app (from the repository root), then record the figures in model.json
#    (export_onnx.py --metrics <the eval JSON>) and MODEL_CARD.md:
#    npm run eval -- --model resources/models/$ID --out $R/v4-test.json --grid docs/pfvit-v4-test-faces.png \
#        --paired-with $SOURCE
#    npm run eval -- --model resources/models/$ID-int8 --out $R/v4-int8-test.json --no-generate
#    npm run eval -- /path/to/shared/data/muxspace_fe --model resources/models/$ID --no-generate --out $R/v4-mux.json
#    npm run bench:pokerface -- --model resources/models/$ID
#    npm run bench:noise -- --model resources/models/$ID
#    BENCH_MODEL=resources/models/$ID BENCH_GENERATE=0 npm run bench:infer
