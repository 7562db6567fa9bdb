"""A tiny RoBERTa-style sequence classifier for the lab's tests (issue 7). What sets it apart from the
BERT and DistilBERT fixtures, as in Hugging Face's RobertaForSequenceClassification export:
  - position ids computed inside the graph from input_ids: cumsum(input_ids != pad) * mask + pad, so
    the first token sits at position pad + 1 = 2 and max_position_embeddings (130) holds two rows
    more than the usable length (128);
  - no token_type_ids input: the one token-type row is a constant added to every token;
  - a byte-level BPE tokenizer with RoBERTa's framing <s> … </s>: the demo LM's GPT-2 tokenizer, its
    ids shifted by 4 to put <s>=0, <pad>=1, </s>=2, <unk>=3 where RoBERTa has them, and a
    RobertaProcessing post-processor;
  - RoBERTa's head on <s>: dense + tanh, out_proj.
Post-LN encoder layers (tools/bert.py's Layer, LayerNorm eps 1e-5), random seeded weights (std 0.3, so
the four genre logits differ from text to text), the demo classifier's labels; ~1.3 MB of f32.

  onnx/model.onnx  input_ids, attention_mask -> logits (batch, 4)
  config.json      model_type roberta, RobertaForSequenceClassification, id2label

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/make_roberta_fixture.py [--out e2e/fixtures/tiny-roberta-genre]
"""
import json
import os

import torch
import torch.nn as nn

from bert import BertConfig, Layer
from encoder_fixture import export_classifier, fixture_args, random_weights, tiny_config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO_CLASSIFIER = os.path.join(ROOT, "public", "models", "brown-bert-genre")
DEMO_LM = os.path.join(ROOT, "public", "models", "brown-gpt2-tiny")
SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]  # ids 0..3, as in roberta-base
PAD = 1
TEXT_LENGTH = 128


class RobertaStyle(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.word = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=PAD)
        self.pos = nn.Embedding(c.max_position_embeddings, c.hidden_size, padding_idx=PAD)
        self.token_type = nn.Embedding(1, c.hidden_size)  # type_vocab_size 1: one row, no input
        self.ln = nn.LayerNorm(c.hidden_size, eps=1e-5)
        self.layers = nn.ModuleList(Layer(c) for _ in range(c.num_hidden_layers))
        for layer in self.layers:
            layer.ln_attn.eps = layer.ln_out.eps = 1e-5
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.out_proj = nn.Linear(c.hidden_size, c.num_labels)

    def forward(self, input_ids, attention_mask):
        # transformers' create_position_ids_from_input_ids: pads keep position PAD, tokens count from PAD + 1
        mask = (input_ids != PAD).long()
        positions = torch.cumsum(mask, dim=1) * mask + PAD
        x = self.ln(self.word(input_ids) + self.pos(positions) + self.token_type.weight[0])
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -1e9
        for layer in self.layers:
            x = layer(x, bias)
        return self.out_proj(torch.tanh(self.dense(x[:, 0])))


def tokenizer_json() -> dict:
    """The demo LM's byte-level BPE with RoBERTa's special tokens in front and its post-processor."""
    t = json.load(open(os.path.join(DEMO_LM, "tokenizer.json")))
    vocab = {tok: i + len(SPECIALS) for tok, i in t["model"]["vocab"].items()}
    vocab.update({tok: i for i, tok in enumerate(SPECIALS)})
    t["model"]["vocab"] = vocab
    shifted = [dict(a, id=a["id"] + len(SPECIALS)) for a in t["added_tokens"]]
    t["added_tokens"] = [{"id": i, "content": tok, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for i, tok in enumerate(SPECIALS)] + shifted
    t["post_processor"] = {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
                           "trim_offsets": True, "add_prefix_space": False}
    t["truncation"] = t["padding"] = None
    return t


def main():
    a = fixture_args("tiny-roberta-genre")
    demo = json.load(open(os.path.join(DEMO_CLASSIFIER, "config.json")))
    tok = tokenizer_json()
    c = tiny_config(len(tok["model"]["vocab"]), TEXT_LENGTH + PAD + 1, len(demo["id2label"]))
    model = RobertaStyle(c)
    random_weights(model)
    path = export_classifier(model, torch.tensor([[0, 5, 6, 7, 2], [0, 9, 2, PAD, PAD]]), PAD, a.out)
    json.dump({"architectures": ["RobertaForSequenceClassification"], "model_type": "roberta", "vocab_size": c.vocab_size,
               "hidden_size": c.hidden_size, "num_hidden_layers": c.num_hidden_layers, "num_attention_heads": c.num_attention_heads,
               "intermediate_size": c.intermediate_size, "max_position_embeddings": c.max_position_embeddings, "type_vocab_size": 1,
               "layer_norm_eps": 1e-5, "pad_token_id": PAD, "bos_token_id": 0, "eos_token_id": 2,
               "id2label": demo["id2label"], "label2id": demo["label2id"]}, open(os.path.join(a.out, "config.json"), "w"), indent=1)
    json.dump(tok, open(os.path.join(a.out, "tokenizer.json"), "w"), ensure_ascii=False)
    json.dump({"tokenizer_class": "RobertaTokenizer", "bos_token": "<s>", "eos_token": "</s>", "cls_token": "<s>", "sep_token": "</s>",
               "pad_token": "<pad>", "unk_token": "<unk>", "add_prefix_space": False, "model_max_length": TEXT_LENGTH,
               "clean_up_tokenization_spaces": False}, open(os.path.join(a.out, "tokenizer_config.json"), "w"), indent=1)
    print(f"tiny roberta-style classifier: {os.path.getsize(path):,} bytes -> {path}")


if __name__ == "__main__":
    main()
