"""A small BERT-style encoder classifier: word + position + token-type embeddings, post-LN
encoder layers (exact GELU), a tanh pooler on the first ([CLS]) token, a linear head."""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class BertConfig:
    vocab_size: int = 8195
    hidden_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    intermediate_size: int = 512
    max_position_embeddings: int = 128
    type_vocab_size: int = 2
    num_labels: int = 4
    dropout: float = 0.1

    def to_dict(self):
        return asdict(self)


class Layer(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.h = c.num_attention_heads
        self.query = nn.Linear(c.hidden_size, c.hidden_size)
        self.key = nn.Linear(c.hidden_size, c.hidden_size)
        self.value = nn.Linear(c.hidden_size, c.hidden_size)
        self.attn_out = nn.Linear(c.hidden_size, c.hidden_size)
        self.ln_attn = nn.LayerNorm(c.hidden_size, eps=1e-12)
        self.intermediate = nn.Linear(c.hidden_size, c.intermediate_size)
        self.output = nn.Linear(c.intermediate_size, c.hidden_size)
        self.ln_out = nn.LayerNorm(c.hidden_size, eps=1e-12)
        self.drop = nn.Dropout(c.dropout)

    def forward(self, x, bias):
        b, s, d = x.shape
        hd = d // self.h
        q, k, v = (f(x).view(b, s, self.h, hd).transpose(1, 2) for f in (self.query, self.key, self.value))
        att = self.drop(F.softmax(q @ k.transpose(-2, -1) / math.sqrt(hd) + bias, dim=-1))
        y = (att @ v).transpose(1, 2).reshape(b, s, d)
        x = self.ln_attn(x + self.drop(self.attn_out(y)))
        return self.ln_out(x + self.drop(self.output(F.gelu(self.intermediate(x)))))


class BertClassifier(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.config = c
        self.word = nn.Embedding(c.vocab_size, c.hidden_size)
        self.pos = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.token_type = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.ln = nn.LayerNorm(c.hidden_size, eps=1e-12)
        self.drop = nn.Dropout(c.dropout)
        self.layers = nn.ModuleList(Layer(c) for _ in range(c.num_hidden_layers))
        self.pooler = nn.Linear(c.hidden_size, c.hidden_size)
        self.classifier = nn.Linear(c.hidden_size, c.num_labels)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, input_ids, attention_mask, token_type_ids):
        s = input_ids.shape[1]
        positions = torch.arange(0, s, device=input_ids.device).unsqueeze(0)
        x = self.drop(self.ln(self.word(input_ids) + self.pos(positions) + self.token_type(token_type_ids)))
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -1e9
        for layer in self.layers:
            x = layer(x, bias)
        pooled = torch.tanh(self.pooler(x[:, 0]))
        return self.classifier(self.drop(pooled))
