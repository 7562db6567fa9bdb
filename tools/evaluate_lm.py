"""Perplexity of the exported demo LM over the whole test text, Hugging Face's sliding-window
method: windows of `context` tokens every `stride` tokens; each window scores only the targets
the previous window did not (the first token of the text is never scored; with stride = context
the first token of every window is context-free and not scored either).

Writes metrics.json: {"test_ppl", "context", "stride", "tokens", "tokens_scored", "windows", ...}."""
import argparse
import json
import math
import os

import torch

from gpt import GPT, GPTConfig
from train_lm import load_tokenizer


@torch.no_grad()
def sliding_window_nll(model, ids: list[int], context: int, stride: int):
    total, scored, windows, prev_end = 0.0, 0, 0, 0
    for begin in range(0, len(ids), stride):
        end = min(begin + context, len(ids))
        trg_len = end - prev_end
        x = torch.tensor([ids[begin:end]])
        logits, _ = model(x, torch.ones_like(x))
        logp = torch.log_softmax(logits[0].double(), dim=-1)
        first = max(end - begin - trg_len, 0)  # positions (in window) whose token is scored, minus one
        for pos in range(max(first, 1), end - begin):
            total -= logp[pos - 1, ids[begin + pos]].item()
            scored += 1
        windows += 1
        prev_end = end
        if end == len(ids):
            break
    return total, scored, windows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--text", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(2)
    state = torch.load(a.checkpoint, map_location="cpu")
    model = GPT(GPTConfig(**{**state["config"], "dropout": 0.0}))
    model.load_state_dict(state["state_dict"])
    model.eval()
    ids = load_tokenizer(a.tokenizer).encode(open(a.text, encoding="utf-8").read())
    ctx = model.config.n_positions
    total, scored, windows = sliding_window_nll(model, ids, ctx, ctx)
    metrics = {"test_ppl": math.exp(total / scored), "mean_nll": total / scored, "context": ctx, "stride": ctx,
               "tokens": len(ids), "tokens_scored": scored, "windows": windows, "dataset": "brown-test.txt",
               "method": "sliding window (Hugging Face), batch 1, float32 PyTorch on the exported weights"}
    json.dump(metrics, open(a.out, "w"), indent=1)
    print(json.dumps(metrics))


if __name__ == "__main__":
    main()
