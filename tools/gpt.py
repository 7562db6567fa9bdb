"""A GPT-2 in plain PyTorch: learned positions, pre-LN blocks, tanh-GELU MLP, weights tied
between the token embedding and the output head. One forward serves training, the plain
ONNX export (input_ids, attention_mask -> logits) and the KV-cache export (adds
past_key_values.N.key/value -> present.N.key/value, Optimum's names).

Positions come from the attention mask (cumsum - 1), as Hugging Face's GPT-2 does for
left-padded batches, so callers never pass position_ids. The head is a 2-D F.linear on the
embedding matrix, which exports as Gemm(transB=1) reading the *same* initializer as the
embedding Gather: the file stores the tied weight once."""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class GPTConfig:
    vocab_size: int = 8192
    n_positions: int = 256
    n_embd: int = 256
    n_layer: int = 4
    n_head: int = 4
    dropout: float = 0.1

    def to_dict(self):
        return asdict(self)


class Attention(nn.Module):
    def __init__(self, c: GPTConfig):
        super().__init__()
        self.n_head = c.n_head
        self.c_attn = nn.Linear(c.n_embd, 3 * c.n_embd)
        self.c_proj = nn.Linear(c.n_embd, c.n_embd)
        self.drop = nn.Dropout(c.dropout)

    def forward(self, x, bias, past_k=None, past_v=None):
        b, s, d = x.shape
        hd = d // self.n_head
        q, k, v = self.c_attn(x).split(d, dim=2)
        q, k, v = (t.view(b, s, self.n_head, hd).transpose(1, 2) for t in (q, k, v))  # (b, h, s, hd)
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd)) + bias  # (b, h, s, past+s)
        att = self.drop(F.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).reshape(b, s, d)
        return self.drop(self.c_proj(y)), k, v


class Block(nn.Module):
    def __init__(self, c: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(c.n_embd)
        self.attn = Attention(c)
        self.ln_2 = nn.LayerNorm(c.n_embd)
        self.c_fc = nn.Linear(c.n_embd, 4 * c.n_embd)
        self.c_proj = nn.Linear(4 * c.n_embd, c.n_embd)
        self.drop = nn.Dropout(c.dropout)

    def forward(self, x, bias, past_k=None, past_v=None):
        a, k, v = self.attn(self.ln_1(x), bias, past_k, past_v)
        x = x + a
        x = x + self.drop(self.c_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh")))
        return x, k, v


class GPT(nn.Module):
    def __init__(self, c: GPTConfig):
        super().__init__()
        self.config = c
        self.wte = nn.Embedding(c.vocab_size, c.n_embd)
        self.wpe = nn.Embedding(c.n_positions, c.n_embd)
        self.drop = nn.Dropout(c.dropout)
        self.h = nn.ModuleList(Block(c) for _ in range(c.n_layer))
        self.ln_f = nn.LayerNorm(c.n_embd)
        self.apply(self._init)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):  # GPT-2's residual scaling
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * c.n_layer))

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, 0.0, 0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def forward(self, input_ids, attention_mask, past=None):
        """past: list of (k, v) per layer, each (b, h, past_len, hd), or None."""
        b, s = input_ids.shape
        positions = (torch.cumsum(attention_mask, dim=-1) - 1).clamp(min=0)[:, -s:]
        x = self.drop(self.wte(input_ids) + self.wpe(positions))
        total = attention_mask.shape[1]
        q_pos = torch.arange(total - s, total, device=input_ids.device).unsqueeze(1)  # (s, 1)
        k_pos = torch.arange(0, total, device=input_ids.device).unsqueeze(0)  # (1, total)
        allowed = (k_pos <= q_pos).unsqueeze(0).unsqueeze(0) & (attention_mask[:, None, None, :] > 0)
        bias = torch.where(allowed, torch.zeros((), dtype=x.dtype), torch.full((), -1e9, dtype=x.dtype))
        presents = []
        for i, block in enumerate(self.h):
            pk, pv = past[i] if past is not None else (None, None)
            x, k, v = block(x, bias, pk, pv)
            presents.append((k, v))
        x = self.ln_f(x)
        logits = F.linear(x.reshape(b * s, -1), self.wte.weight).reshape(b, s, -1)
        return logits, presents

    def num_params(self):
        return sum(p.numel() for p in self.parameters())
