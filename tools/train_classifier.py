"""Train and export the demo genre classifier (BERT-style) on Brown passages.

Labels: 4 genre groups of the Brown corpus (documented in the model card):
  press = a,b,c · fiction = k,l,m,n,p,r · learned = h,j (learned + government documents) ·
  nonfiction = d,e,f,g (religion, skills & hobbies, popular lore, belles-lettres)
Passages: each document (split by file as for the LM) is cut at word boundaries into passages
of at most 126 BPE tokens ([CLS] ... [SEP] = 128). Each split is balanced by keeping the same
number of passages per label (a seeded shuffle picks which).

Writes the model folder (config.json, tokenizer files, onnx/model.onnx, metrics.json) and the
test set JSONL. Test metrics are computed by re-tokenizing the JSONL texts exactly as a user of
the exported files would."""
import argparse
import json
import os
import random

import onnx
import torch
import torch.nn.functional as F

from bert import BertClassifier, BertConfig
from train_lm import load_tokenizer

LABELS = ["press", "fiction", "learned", "nonfiction"]
GROUP = {**{g: 0 for g in "abc"}, **{g: 1 for g in "klmnpr"}, **{g: 2 for g in "hj"}, **{g: 3 for g in "defg"}}
MAX_LEN = 128


def passages(bpe, text: str) -> list[str]:
    out, words, n = [], [], 0
    for word in text.split():
        k = len(bpe.encode(" " + word))
        if n + k > MAX_LEN - 2 and words:
            out.append(" ".join(words))
            words, n = [], 0
        words.append(word)
        n += k
    if n >= 32:
        out.append(" ".join(words))
    return out


def balanced(items, seed):
    by = {}
    for t, y in items:
        by.setdefault(y, []).append((t, y))
    n = min(len(v) for v in by.values())
    rng = random.Random(seed)
    out = []
    for y in sorted(by):
        v = by[y][:]
        rng.shuffle(v)
        out.extend(v[:n])
    rng.shuffle(out)
    return out


def encode(bpe, ids_of, texts):
    cls, sep, pad = ids_of
    rows = [[cls] + bpe.encode(t)[:MAX_LEN - 2] + [sep] for t in texts]
    L = max(len(r) for r in rows)
    ids = torch.tensor([r + [pad] * (L - len(r)) for r in rows])
    mask = torch.tensor([[1] * len(r) + [0] * (L - len(r)) for r in rows])
    return ids, mask


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--datasets", required=True)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--log", required=True, help="where to write the training log (JSON)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    bpe = load_tokenizer(a.tokenizer)
    base = len(bpe.vocab)
    ids_of = (base, base + 1, base + 2)  # [CLS], [SEP], [PAD]
    split = json.load(open(os.path.join(a.data, "brown-split.json")))
    docs = {json.loads(l)["file"]: json.loads(l) for l in open(os.path.join(a.data, "brown-docs.jsonl"))}
    sets = {}
    for name in ("train", "valid", "test"):
        items = [(p, GROUP[f[1]]) for f in split["files"][name] for p in passages(bpe, docs[f]["text"])]
        sets[name] = balanced(items, a.seed)
        print(name, len(sets[name]), flush=True)

    cfg = BertConfig(vocab_size=base + 3, num_labels=len(LABELS))
    model = BertClassifier(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    train = sets["train"]
    steps_per_epoch = (len(train) + 31) // 32
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-3, total_steps=a.epochs * steps_per_epoch, pct_start=0.1)

    def accuracy(items):
        model.eval()
        preds = []
        with torch.no_grad():
            for i in range(0, len(items), 128):
                ids, mask = encode(bpe, ids_of, [t for t, _ in items[i:i + 128]])
                preds += model(ids, mask, torch.zeros_like(ids)).argmax(-1).tolist()
        model.train()
        gold = [y for _, y in items]
        acc = sum(p == g for p, g in zip(preds, gold)) / len(gold)
        f1s = []
        for c in range(len(LABELS)):
            tp = sum(p == c and g == c for p, g in zip(preds, gold))
            fp = sum(p == c and g != c for p, g in zip(preds, gold))
            fn = sum(p != c and g == c for p, g in zip(preds, gold))
            f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
        return acc, sum(f1s) / len(f1s)

    best, best_state, log = -1.0, None, []
    rng = random.Random(a.seed)
    for epoch in range(a.epochs):
        rng.shuffle(train)
        for i in range(0, len(train), 32):
            batch = train[i:i + 32]
            ids, mask = encode(bpe, ids_of, [t for t, _ in batch])
            loss = F.cross_entropy(model(ids, mask, torch.zeros_like(ids)), torch.tensor([y for _, y in batch]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        va, vf = accuracy(sets["valid"])
        log.append({"epoch": epoch + 1, "train_loss": loss.item(), "valid_accuracy": va, "valid_macro_f1": vf})
        print(log[-1], flush=True)
        if va > best:
            best, best_state = va, {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    model.eval()
    test_acc, test_f1 = accuracy(sets["test"])
    print("test", test_acc, test_f1)

    os.makedirs(os.path.join(a.out, "onnx"), exist_ok=True)
    ids, mask = encode(bpe, ids_of, ["a short passage", "another one"])
    torch.onnx.export(model, (ids, mask, torch.zeros_like(ids)), os.path.join(a.out, "onnx", "model.onnx"),
                      input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
                      dynamic_axes={n: {0: "batch_size", 1: "sequence_length"} for n in ("input_ids", "attention_mask", "token_type_ids")} | {"logits": {0: "batch_size"}},
                      opset_version=17, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(os.path.join(a.out, "onnx", "model.onnx")))
    json.dump({
        "architectures": ["BertForSequenceClassification"], "model_type": "bert",
        "vocab_size": cfg.vocab_size, "hidden_size": cfg.hidden_size, "num_hidden_layers": cfg.num_hidden_layers,
        "num_attention_heads": cfg.num_attention_heads, "intermediate_size": cfg.intermediate_size,
        "hidden_act": "gelu", "max_position_embeddings": cfg.max_position_embeddings, "type_vocab_size": 2,
        "layer_norm_eps": 1e-12, "pad_token_id": ids_of[2], "id2label": {str(i): l for i, l in enumerate(LABELS)},
        "label2id": {l: i for i, l in enumerate(LABELS)}, "problem_type": "single_label_classification",
    }, open(os.path.join(a.out, "config.json"), "w"), indent=1)
    tok = json.load(open(os.path.join(a.tokenizer, "tokenizer.json"), encoding="utf-8"))
    specials = [("[CLS]", ids_of[0]), ("[SEP]", ids_of[1]), ("[PAD]", ids_of[2])]
    for content, i in specials:
        tok["model"]["vocab"][content] = i
        tok["added_tokens"].append({"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
                                    "normalized": False, "special": True})
    tok["post_processor"] = {"type": "TemplateProcessing",
                             "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                             "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
                             "special_tokens": {c: {"id": c, "ids": [i], "tokens": [c]} for c, i in specials}}
    tok["truncation"] = {"direction": "Right", "max_length": MAX_LEN, "strategy": "LongestFirst", "stride": 0}
    json.dump(tok, open(os.path.join(a.out, "tokenizer.json"), "w", encoding="utf-8"), ensure_ascii=False)
    json.dump({"tokenizer_class": "PreTrainedTokenizerFast", "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]",
               "unk_token": "<|endoftext|>", "model_max_length": MAX_LEN, "clean_up_tokenization_spaces": False},
              open(os.path.join(a.out, "tokenizer_config.json"), "w"), indent=1)
    os.makedirs(a.datasets, exist_ok=True)
    with open(os.path.join(a.datasets, "brown-genre-test.jsonl"), "w", encoding="utf-8") as fh:
        for t, y in sets["test"]:
            fh.write(json.dumps({"text": t, "label": LABELS[y]}) + "\n")
    json.dump({"test_accuracy": test_acc, "macro_f1": test_f1, "labels": LABELS, "test_examples": len(sets["test"]),
               "max_length": MAX_LEN}, open(os.path.join(a.out, "metrics.json"), "w"), indent=1)
    json.dump({"log": log, "test_accuracy": test_acc, "test_macro_f1": test_f1, "params": sum(p.numel() for p in model.parameters()),
               "examples": {k: len(v) for k, v in sets.items()}, "args": vars(a)},
              open(a.log, "w"), indent=1)


if __name__ == "__main__":
    main()
