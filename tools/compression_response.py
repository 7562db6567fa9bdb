"""How the demo LM answers compression, measured outside the lab (PyTorch + numpy, no lab code):
every linear weight the lab compresses — the four per block and the output head; the token
embedding's Gather stays f32, as in the lab, because the ONNX export stores the head as its own
initializer — is rounded to nearest or magnitude-pruned here, and perplexity is computed on the
first --tokens test tokens with windows of the model's context (stride = context).

Variants (each weight seen as (out, in), groups along in):
  int8_channel  symmetric per output channel: s = max|w| / 127, q = round(w / s) in [-127, 127]
  intK_gG       asymmetric groups of G (K bits): range [min(0, min w), max(0, max w)], s = range / (2^K - 1),
                zp = round(-min / s), q = clamp(round(w / s) + zp, 0, 2^K - 1), w' = (q - zp) s
  prune_R       per weight matrix, the round(R n) entries of smallest |w| set to 0
Writes metrics.json["compression_response"] = {variant: {ppl, tokens, context}} (other keys kept)."""
import argparse
import json
import math

import numpy as np
import torch
import torch.nn.functional as F

from evaluate_lm import sliding_window_nll
from gpt import GPT, GPTConfig
from train_lm import load_tokenizer


def rtn_groups(w: np.ndarray, bits: int, group: int) -> np.ndarray:
    out_dim, in_dim = w.shape
    levels = 2 ** bits - 1
    res = np.empty_like(w)
    for g0 in range(0, in_dim, group):
        blk = w[:, g0:g0 + group].astype(np.float64)
        lo = np.minimum(blk.min(axis=1, keepdims=True), 0.0)
        hi = np.maximum(blk.max(axis=1, keepdims=True), 0.0)
        s = np.maximum((hi - lo) / levels, 1e-30)
        zp = np.clip(np.round(-lo / s), 0, levels)
        q = np.clip(np.round(blk / s) + zp, 0, levels)
        res[:, g0:g0 + group] = ((q - zp) * s).astype(np.float32)
    return res


def int8_channel(w: np.ndarray) -> np.ndarray:
    s = np.maximum(np.abs(w).max(axis=1, keepdims=True).astype(np.float64) / 127.0, 1e-30)
    return (np.clip(np.round(w / s), -127, 127) * s).astype(np.float32)


def prune(w: np.ndarray, ratio: float) -> np.ndarray:
    k = int(math.floor(ratio * w.size + 0.5))
    flat = w.reshape(-1).copy()
    if k > 0:
        order = np.argsort(np.abs(flat), kind="stable")
        flat[order[:k]] = 0.0
    return flat.reshape(w.shape)


VARIANTS = {
    "int8_channel": int8_channel,
    "int4_g32": lambda w: rtn_groups(w, 4, 32),
    "int4_g128": lambda w: rtn_groups(w, 4, 128),
    "int3_g32": lambda w: rtn_groups(w, 3, 32),
    "int2_g32": lambda w: rtn_groups(w, 2, 32),
    "prune_50": lambda w: prune(w, 0.5),
    "prune_90": lambda w: prune(w, 0.9),
}


class UntiedHead(torch.nn.Module):
    """The trained GPT with its output head as a separate matrix (the ONNX export's lm_head)."""

    def __init__(self, model: GPT, head: torch.Tensor):
        super().__init__()
        self.m = model
        self.head = head
        self.config = model.config

    def forward(self, input_ids, attention_mask):
        m = self.m
        b, s = input_ids.shape
        positions = (torch.cumsum(attention_mask, dim=-1) - 1).clamp(min=0)
        x = m.wte(input_ids) + m.wpe(positions)
        q_pos = torch.arange(s).unsqueeze(1)
        allowed = (torch.arange(s).unsqueeze(0) <= q_pos).unsqueeze(0).unsqueeze(0)
        bias = torch.where(allowed, torch.zeros(()), torch.full((), -1e9))
        for block in m.h:
            x, _, _ = block(x, bias)
        x = m.ln_f(x)
        return F.linear(x, self.head), None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--text", required=True)
    ap.add_argument("--metrics", required=True, help="metrics.json to update")
    ap.add_argument("--tokens", type=int, default=4096)
    a = ap.parse_args()
    torch.set_num_threads(2)
    state = torch.load(a.checkpoint, map_location="cpu")
    ids = load_tokenizer(a.tokenizer).encode(open(a.text, encoding="utf-8").read())[:a.tokens]
    response = {}
    for name in ["baseline", *VARIANTS]:
        model = GPT(GPTConfig(**{**state["config"], "dropout": 0.0}))
        model.load_state_dict(state["state_dict"])
        model.eval()
        head = model.wte.weight.detach().clone()
        if name != "baseline":
            fn = VARIANTS[name]
            with torch.no_grad():
                for block in model.h:
                    for lin in (block.attn.c_attn, block.attn.c_proj, block.c_fc, block.c_proj):
                        lin.weight.copy_(torch.from_numpy(fn(lin.weight.numpy())))
                head = torch.from_numpy(fn(head.numpy()))
        ctx = model.config.n_positions
        total, scored, _ = sliding_window_nll(UntiedHead(model, head), ids, ctx, ctx)
        response[name] = {"ppl": math.exp(total / scored), "tokens": len(ids), "tokens_scored": scored, "context": ctx, "stride": ctx}
        print(name, json.dumps(response[name]), flush=True)
    metrics = json.load(open(a.metrics))
    metrics["compression_response"] = response
    metrics["compression_response_method"] = (
        "tools/compression_response.py: PyTorch forward of the trained weights, every linear weight of the blocks and the "
        "output head compressed by numpy (embedding Gather f32), first %d test tokens, context = stride = %d" % (len(ids), ctx))
    json.dump(metrics, open(a.metrics, "w"), indent=1)


if __name__ == "__main__":
    main()
