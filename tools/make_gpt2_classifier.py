"""A tiny GPT-2-architecture sequence classifier (Hugging Face's GPT2ForSequenceClassification) for
the lab's tests, trained on the demo classifier's genre data (the same Brown passages and labels as
tools/train_classifier.py) from scratch:

  GPT-2 blocks (tools/gpt.py: learned positions, pre-LN, tanh-GELU MLP), a score head
  Linear(n_embd, labels, bias=False) on every position, and the logits of the *last non-pad token*
  as Hugging Face computes it: first index of pad_token_id in input_ids, minus 1, modulo the length
  (so a row with no pad uses its last token). The pad token is <|endoftext|> (8191), as GPT-2
  classifiers set it; texts are the demo LM's tokenizer's plain tokens (no special tokens), cut to
  n_positions.

Small on purpose (n_embd 64, 2 layers: 2.4 MB of f32): the tests compare runtimes on the same graph.
Writes config.json (id2label), the demo LM's tokenizer files, onnx/model.onnx
(input_ids, attention_mask -> logits (batch, labels)) and metrics.json (test accuracy in PyTorch).

  /usr/bin/python3 tools/make_gpt2_classifier.py [--data .cache/build/data] [--out e2e/fixtures/tiny-gpt2-genre]
"""
import argparse
import json
import os
import random
import shutil

import torch
import torch.nn as nn
import torch.nn.functional as F

from gpt import GPT, GPTConfig
from train_classifier import GROUP, LABELS, balanced, passages
from train_lm import load_tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAD = 8191  # <|endoftext|>


class GPT2Classifier(nn.Module):
    def __init__(self, c: GPTConfig, labels: int):
        super().__init__()
        self.transformer = GPT(c)
        self.score = nn.Linear(c.n_embd, labels, bias=False)
        nn.init.normal_(self.score.weight, 0.0, 0.02)

    def forward(self, input_ids, attention_mask):
        g = self.transformer
        b, s = input_ids.shape
        positions = (torch.cumsum(attention_mask, dim=-1) - 1).clamp(min=0)
        x = g.drop(g.wte(input_ids) + g.wpe(positions))
        q = torch.arange(s).unsqueeze(1)
        k = torch.arange(s).unsqueeze(0)
        allowed = (k <= q).unsqueeze(0).unsqueeze(0) & (attention_mask[:, None, None, :] > 0)
        bias = torch.where(allowed, torch.zeros((), dtype=x.dtype), torch.full((), -1e9, dtype=x.dtype))
        for block in g.h:
            x, _, _ = block(x, bias)
        logits = self.score(g.ln_f(x))  # (b, s, labels)
        # Hugging Face's GPT2ForSequenceClassification: the last token before the first pad
        last = (torch.eq(input_ids, PAD).int().argmax(-1) - 1) % s
        return logits[torch.arange(b), last]


def encode(bpe, texts, max_len):
    rows = [bpe.encode(t)[:max_len] for t in texts]
    L = max(len(r) for r in rows)
    ids = torch.tensor([r + [PAD] * (L - len(r)) for r in rows])
    mask = torch.tensor([[1] * len(r) + [0] * (L - len(r)) for r in rows])
    return ids, mask


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, ".cache", "build", "data"))
    ap.add_argument("--tokenizer", default=os.path.join(ROOT, "public", "models", "brown-gpt2"))
    ap.add_argument("--out", default=os.path.join(ROOT, "e2e", "fixtures", "tiny-gpt2-genre"))
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    bpe = load_tokenizer(a.tokenizer)
    cfg = GPTConfig(vocab_size=8192, n_positions=128, n_embd=64, n_layer=2, n_head=4, dropout=0.1)
    split = json.load(open(os.path.join(a.data, "brown-split.json")))
    docs = {json.loads(l)["file"]: json.loads(l) for l in open(os.path.join(a.data, "brown-docs.jsonl"))}
    sets = {name: balanced([(p, GROUP[f[1]]) for f in split["files"][name] for p in passages(bpe, docs[f]["text"])], a.seed)
            for name in ("train", "valid")}
    # the lab's built-in test examples, as the lab reads them
    test = [json.loads(l) for l in open(os.path.join(ROOT, "public", "datasets", "brown-genre-test.jsonl"), encoding="utf-8")]
    sets["test"] = [(r["text"], LABELS.index(r["label"])) for r in test]
    print({k: len(v) for k, v in sets.items()}, flush=True)

    model = GPT2Classifier(cfg, len(LABELS))
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
    train = sets["train"]

    def accuracy(items):
        model.eval()
        right = 0
        with torch.no_grad():
            for i in range(0, len(items), 64):
                ids, mask = encode(bpe, [t for t, _ in items[i:i + 64]], cfg.n_positions)
                right += sum(int(p == y) for p, (_, y) in zip(model(ids, mask).argmax(-1).tolist(), items[i:i + 64]))
        model.train()
        return right / len(items)

    rng = random.Random(a.seed)
    best, best_state = -1.0, None
    for epoch in range(a.epochs):
        rng.shuffle(train)
        for i in range(0, len(train), 32):
            ids, mask = encode(bpe, [t for t, _ in train[i:i + 32]], cfg.n_positions)
            loss = F.cross_entropy(model(ids, mask), torch.tensor([y for _, y in train[i:i + 32]]))
            opt.zero_grad()
            loss.backward()
            opt.step()
        va = accuracy(sets["valid"])
        print({"epoch": epoch + 1, "train_loss": round(loss.item(), 4), "valid_accuracy": round(va, 4)}, flush=True)
        if va > best:
            best, best_state = va, {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    model.eval()
    test_acc = accuracy(sets["test"])
    print("test accuracy", test_acc)

    os.makedirs(os.path.join(a.out, "onnx"), exist_ok=True)
    ids, mask = encode(bpe, ["a short passage of text", "another"], cfg.n_positions)
    torch.onnx.export(model, (ids, mask), os.path.join(a.out, "onnx", "model.onnx"), opset_version=17,
                      input_names=["input_ids", "attention_mask"], output_names=["logits"],
                      dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                                    "attention_mask": {0: "batch_size", 1: "sequence_length"}, "logits": {0: "batch_size"}})
    json.dump({
        "architectures": ["GPT2ForSequenceClassification"], "model_type": "gpt2", "vocab_size": cfg.vocab_size,
        "n_positions": cfg.n_positions, "n_ctx": cfg.n_positions, "n_embd": cfg.n_embd, "n_layer": cfg.n_layer,
        "n_head": cfg.n_head, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5, "bos_token_id": PAD,
        "eos_token_id": PAD, "pad_token_id": PAD, "id2label": {str(i): l for i, l in enumerate(LABELS)},
        "label2id": {l: i for i, l in enumerate(LABELS)}, "problem_type": "single_label_classification",
    }, open(os.path.join(a.out, "config.json"), "w"), indent=1)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(a.tokenizer, f), os.path.join(a.out, f))
    json.dump({"test_accuracy": test_acc, "test_examples": len(sets["test"]), "valid_accuracy": best,
               "params": sum(p.numel() for p in model.parameters()), "epochs": a.epochs, "seed": a.seed},
              open(os.path.join(a.out, "metrics.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
