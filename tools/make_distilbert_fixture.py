"""A tiny DistilBERT-style sequence classifier for the lab's tests (issue 7): no token_type_ids input
and no token-type embeddings, word + position embeddings, post-LN encoder layers (tools/bert.py's
Layer), then DistilBERT's head on the first ([CLS]) token: pre_classifier Linear + ReLU, classifier
Linear. Random seeded weights (std 0.3, so the four genre logits differ from text to text), the demo
classifier's tokenizer and labels (public/models/brown-bert-genre); ~1.2 MB of f32.

  onnx/model.onnx  input_ids, attention_mask -> logits (batch, 4)
  config.json      model_type distilbert, DistilBertForSequenceClassification, id2label

  /usr/bin/python3 tools/make_distilbert_fixture.py [--out e2e/fixtures/tiny-distilbert-genre]
"""
import json
import os
import shutil

import torch
import torch.nn as nn

from bert import BertConfig, Layer
from encoder_fixture import export_classifier, fixture_args, random_weights, tiny_config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = os.path.join(ROOT, "public", "models", "brown-bert-genre")


class DistilBertStyle(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.word = nn.Embedding(c.vocab_size, c.hidden_size)
        self.pos = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.ln = nn.LayerNorm(c.hidden_size, eps=1e-12)
        self.layers = nn.ModuleList(Layer(c) for _ in range(c.num_hidden_layers))
        self.pre_classifier = nn.Linear(c.hidden_size, c.hidden_size)
        self.classifier = nn.Linear(c.hidden_size, c.num_labels)

    def forward(self, input_ids, attention_mask):
        positions = torch.arange(0, input_ids.shape[1]).unsqueeze(0)
        x = self.ln(self.word(input_ids) + self.pos(positions))
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -1e9
        for layer in self.layers:
            x = layer(x, bias)
        return self.classifier(torch.relu(self.pre_classifier(x[:, 0])))


def main():
    a = fixture_args("tiny-distilbert-genre")
    demo = json.load(open(os.path.join(DEMO, "config.json")))
    c = tiny_config(demo["vocab_size"], demo["max_position_embeddings"], len(demo["id2label"]))
    model = DistilBertStyle(c)
    random_weights(model)
    path = export_classifier(model, torch.tensor([[8192, 5, 6, 7, 8193], [8192, 9, 8193, 8194, 8194]]), demo["pad_token_id"], a.out)
    json.dump({"architectures": ["DistilBertForSequenceClassification"], "model_type": "distilbert", "vocab_size": c.vocab_size,
               "dim": c.hidden_size, "n_layers": c.num_hidden_layers, "n_heads": c.num_attention_heads, "hidden_dim": c.intermediate_size,
               "max_position_embeddings": c.max_position_embeddings, "pad_token_id": demo["pad_token_id"],
               "id2label": demo["id2label"], "label2id": demo["label2id"]}, open(os.path.join(a.out, "config.json"), "w"), indent=1)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(DEMO, f), os.path.join(a.out, f))
    print(f"tiny distilbert-style classifier: {os.path.getsize(path):,} bytes -> {path}")


if __name__ == "__main__":
    main()
