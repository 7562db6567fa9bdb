"""Recover a training checkpoint (GPT state_dict + config) from an exported demo LM's model.onnx,
so training can go on from a shipped model whose .cache/build checkpoint was not kept.
The export stores Linear weights as MatMul (in, out) initializers named after their layer and the
head as a transposed copy of the tied embedding: both are undone here, and the recovered model must give the baseline perplexity that
metrics.json recorded for the shipped weights before the checkpoint is written."""
import argparse
import json
import math
import os

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from evaluate_lm import sliding_window_nll
from gpt import GPT, GPTConfig
from train_lm import load_tokenizer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", required=True, help="e.g. public/models/brown-gpt2")
    ap.add_argument("--out", required=True, help="checkpoint path (.pt)")
    ap.add_argument("--text", default="public/datasets/brown-test.txt")
    ap.add_argument("--step", type=int, default=0, help="training step the weights came from (logged)")
    a = ap.parse_args()
    hf = json.load(open(os.path.join(a.model_dir, "config.json")))
    cfg = GPTConfig(vocab_size=hf["vocab_size"], n_positions=hf["n_positions"], n_embd=hf["n_embd"],
                    n_layer=hf["n_layer"], n_head=hf["n_head"], dropout=hf.get("resid_pdrop", 0.1))
    m = onnx.load(os.path.join(a.model_dir, "onnx", "model.onnx"))
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    model = GPT(cfg)
    state = {}
    for name, p in model.state_dict().items():
        key = "transformer." + name
        w = inits[key]
        if name.endswith(".weight") and p.dim() == 2 and not name.startswith(("wte", "wpe")):
            w = w.T  # MatMul (in, out) -> Linear (out, in)
        assert tuple(w.shape) == tuple(p.shape), (name, w.shape, p.shape)
        state[name] = torch.from_numpy(np.ascontiguousarray(w))
    head = inits["lm_head.weight"]
    assert np.array_equal(head.T, inits["transformer.wte.weight"]), "head is not the tied embedding"
    model.load_state_dict(state)
    model.eval()

    # The weights are right when they give the perplexity the shipped metrics.json recorded for them.
    rec = json.load(open(os.path.join(a.model_dir, "metrics.json")))["compression_response"]["baseline"]
    ids = load_tokenizer(a.model_dir).encode(open(a.text, encoding="utf-8").read())[:rec["tokens"]]
    total, scored, _ = sliding_window_nll(model, ids, rec["context"], rec["stride"])
    ppl = math.exp(total / scored)
    print(f"recovered ppl {ppl:.4f} vs recorded {rec['ppl']:.4f}", flush=True)
    assert abs(ppl / rec["ppl"] - 1) < 1e-4, "recovered weights do not reproduce the recorded perplexity"
    torch.save({"config": cfg.to_dict(), "state_dict": model.state_dict(), "step": a.step}, a.out)


if __name__ == "__main__":
    main()
