#!/usr/bin/env bash
# pfvit-ferplus-small-v5: v4's classifier unchanged, with a composing poker-face generator trained on
# two CPU cores (issue 14). E, S and C are v4's, read back out of its shipped graphs, and frozen.
#
#   bash training/recipes/cpu-v5.sh            # about 20 minutes on 2 idle cores
#   R=/somewhere bash training/recipes/cpu-v5.sh
#
# A stopped step resumes with the same command plus `--resume <its run folder>` (training/README.md,
# "Resume"). Selection uses FERPlus Valid only, with the judges the generator trained against; the
# independent judges of `pokerface eval` (face-api expression, MobileFace V1 identity) are used once,
# afterwards, on FERPlus test and Yale faces.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-/usr/bin/python3}
R=${R:-/work/pf-runs}
ID=${ID:-pfvit-ferplus-small-v5}
mkdir -p "$R"
# v4's folder left the repository when v5 replaced it; git keeps it.
. training/recipes/model-folder.sh
SOURCE=${SOURCE:-$(model_folder pfvit-ferplus-small-v4 "$R")}
cd training

# 0. The warm start: E, S, C and G exactly as v4's graphs compute them.
$PY import_onnx.py --model "$SOURCE" --out "$R/v4-imported.pt"

# 1. G (transformer from v4, composition head and D fresh) on frozen E, S, C: our classifier as the
#    judge, a grey colour layer, sparsity x3, D as the realism prior at weight 1. ~8.5 min an epoch;
#    best.pt is epoch 0 (Valid chose it over epoch 1, which changed less and convinced less).
#    (Adding mini-Xception as a second judge and MobileFace V3 identity made it paint over eyes;
#    see the card's ablation.)
nice -n 19 $PY train_pokerface.py --warm-start "$R/v4-imported.pt" --out "$R/poker2" --val-limit 1200 \
  --epochs 2 --threads 2 --quiet --w-adv 1 --w-changed 3 --w-residue 5

# 2. Export (fp32) and the int8 copy.
$PY export_onnx.py --checkpoint "$R/poker2/best.pt" --id "$ID" --name "PF-ViT 192x6 (FERPlus, v5)" --version 0.5.0
$PY quantize_onnx.py --model "../resources/models/$ID"

# 3. Measure through the app (from the repository root), then record the figures in model.json and
#    MODEL_CARD.md (metrics.poker_face_check from bench:pokerface, with generator: "composition"):
#    npm run bench:pokerface -- --model resources/models/$ID --keep
#    npm run eval -- --model resources/models/$ID --out $R/v5-test.json --grid docs/pfvit-ferplus-test-faces.png \
#        --paired-with $SOURCE
#    npx pokerface faces ../shared/data/yale_faces --out $R/yale && npm run eval -- $R/yale --split all \
#        --model resources/models/$ID --grid docs/pfvit-yale-faces.png
#    npm run bench:noise -- --model resources/models/$ID
