"""Write a tiny Llama-architecture language model as people publish them, for the lab's tests:
RMSNorm, rotary position embeddings, SwiGLU MLP, grouped-query attention (4 query heads share
2 key/value heads), an untied LM head, and sizes that are not multiples of 32 (hidden 40,
MLP 108), so kernels meet short groups. Random weights (seeded): the tests compare runtimes on
the same graph, not what the model knows. It uses the demo LM's tokenizer (vocab 8192).

Two graphs, the way Optimum exports them:
  onnx/model.onnx          input_ids, attention_mask -> logits                         (prefill)
  onnx/decoder_model.onnx  + past_key_values.N.key/value -> logits, present.N.key/value  (KV cache)

  /usr/bin/python3 tools/make_tiny_llama.py [--out e2e/fixtures/tiny-llama]
"""
import argparse
import json
import math
import os
import shutil

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CFG = dict(vocab_size=8192, hidden_size=40, intermediate_size=108, num_hidden_layers=2, num_attention_heads=4,
           num_key_value_heads=2, max_position_embeddings=256, rms_norm_eps=1e-6, rope_theta=10000.0)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, self.nh, self.nkv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
        self.hd = h // self.nh
        self.q_proj = nn.Linear(h, self.nh * self.hd, bias=False)
        self.k_proj = nn.Linear(h, self.nkv * self.hd, bias=False)
        self.v_proj = nn.Linear(h, self.nkv * self.hd, bias=False)
        self.o_proj = nn.Linear(self.nh * self.hd, h, bias=False)
        self.gate_proj = nn.Linear(h, c["intermediate_size"], bias=False)
        self.up_proj = nn.Linear(h, c["intermediate_size"], bias=False)
        self.down_proj = nn.Linear(c["intermediate_size"], h, bias=False)
        self.input_layernorm = RMSNorm(h, c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(h, c["rms_norm_eps"])

    def forward(self, x, cos, sin, past_k, past_v):
        b, t, _ = x.shape
        y = self.input_layernorm(x)
        q = self.q_proj(y).view(b, t, self.nh, self.hd).transpose(1, 2)
        k = self.k_proj(y).view(b, t, self.nkv, self.hd).transpose(1, 2)
        v = self.v_proj(y).view(b, t, self.nkv, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        rep = self.nh // self.nkv
        # Hugging Face's repeat_kv: expand + reshape (sizes read from the tensors, so they stay dynamic)
        kk = k[:, :, None].expand(k.shape[0], self.nkv, rep, k.shape[2], self.hd).reshape(k.shape[0], self.nh, k.shape[2], self.hd)
        vv = v[:, :, None].expand(v.shape[0], self.nkv, rep, v.shape[2], self.hd).reshape(v.shape[0], self.nh, v.shape[2], self.hd)
        past = k.shape[2] - t
        att = (q @ kk.transpose(-1, -2)) / math.sqrt(self.hd)
        qpos = torch.arange(t).view(t, 1) + past
        kpos = torch.arange(k.shape[2]).view(1, -1)
        att = att.masked_fill(kpos > qpos, float("-inf"))
        out = (F.softmax(att, dim=-1) @ vv).transpose(1, 2).reshape(b, t, self.nh * self.hd)
        x = x + self.o_proj(out)
        y = self.post_attention_layernorm(x)
        x = x + self.down_proj(F.silu(self.gate_proj(y)) * self.up_proj(y))
        return x, k, v


class TinyLlama(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList([Block(c) for _ in range(c["num_hidden_layers"])])
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        hd = c["hidden_size"] // c["num_attention_heads"]
        self.register_buffer("inv_freq", 1.0 / (c["rope_theta"] ** (torch.arange(0, hd, 2).float() / hd)), persistent=False)

    def forward(self, input_ids, attention_mask, *past):
        b, t = input_ids.shape
        past_len = past[0].shape[2] if past else 0
        pos = torch.arange(t).float() + past_len
        freqs = torch.outer(pos, self.inv_freq)
        emb = torch.cat([freqs, freqs], dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        x = self.embed_tokens(input_ids)
        presents = []
        for i, layer in enumerate(self.layers):
            empty = torch.zeros(b, layer.nkv, 0, layer.hd)
            pk, pv = (past[2 * i], past[2 * i + 1]) if past else (empty, empty)
            x, k, v = layer(x, cos, sin, pk, pv)
            presents += [k, v]
        logits = self.lm_head(self.norm(x))
        return (logits, *presents) if past else logits


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "e2e", "fixtures", "tiny-llama"))
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    model = TinyLlama(CFG).eval()
    with torch.no_grad():
        for n, p in model.named_parameters():
            # wider than the usual 0.02 so the random logits are far from uniform
            if p.dim() == 2:
                p.normal_(0, 0.2)
            elif "layernorm" in n or n == "norm.weight":
                p.uniform_(0.5, 1.5)
    os.makedirs(os.path.join(a.out, "onnx"), exist_ok=True)
    ids = torch.tensor([[1, 2, 3, 4, 5]])
    mask = torch.ones_like(ids)
    torch.onnx.export(model, (ids, mask), os.path.join(a.out, "onnx", "model.onnx"), opset_version=17,
                      input_names=["input_ids", "attention_mask"], output_names=["logits"],
                      dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                                    "logits": {0: "batch", 1: "seq"}})
    nkv, hd, n = CFG["num_key_value_heads"], CFG["hidden_size"] // CFG["num_attention_heads"], CFG["num_hidden_layers"]
    past = tuple(torch.randn(1, nkv, 3, hd) for _ in range(2 * n))
    past_names = [f"past_key_values.{i}.{kv}" for i in range(n) for kv in ("key", "value")]
    present_names = [f"present.{i}.{kv}" for i in range(n) for kv in ("key", "value")]
    dyn = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "total"}, "logits": {0: "batch", 1: "seq"}}
    dyn.update({p: {0: "batch", 2: "past"} for p in past_names})
    dyn.update({p: {0: "batch", 2: "total"} for p in present_names})
    torch.onnx.export(model, (ids, torch.ones(1, 8, dtype=torch.long), *past), os.path.join(a.out, "onnx", "decoder_model.onnx"),
                      opset_version=17, input_names=["input_ids", "attention_mask", *past_names],
                      output_names=["logits", *present_names], dynamic_axes=dyn)
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "tie_word_embeddings": False, "hidden_act": "silu",
           "bos_token_id": 8191, "eos_token_id": 8191, "torch_dtype": "float32", **CFG}
    json.dump(cfg, open(os.path.join(a.out, "config.json"), "w"), indent=1)
    demo = os.path.join(ROOT, "public", "models", "brown-gpt2")
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(demo, f), os.path.join(a.out, f))
    print(f"tiny llama: {sum(p.numel() for p in model.parameters())} parameters -> {a.out}")


if __name__ == "__main__":
    main()
