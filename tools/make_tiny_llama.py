"""Write a tiny Llama-architecture language model as people publish them, for the lab's tests:
RMSNorm, rotary position embeddings, SwiGLU MLP, grouped-query attention (4 query heads share
2 key/value heads), an untied LM head, and sizes that are not multiples of 32 (hidden 40,
MLP 108), so kernels meet short groups. Random weights (seeded): the tests compare runtimes on
the same graph, not what the model knows. It uses the demo LM's tokenizer (vocab 8192).

Two graphs, the way Optimum exports them:
  onnx/model.onnx          input_ids, attention_mask -> logits                         (prefill)
  onnx/decoder_model.onnx  + past_key_values.N.key/value -> logits, present.N.key/value  (KV cache)

Variants with the same weights (same seed):
  --variant extras  e2e/fixtures/tiny-llama-extras: one KV-cache decoder (onnx/model.onnx) that also
                    takes position_ids of shape (3, batch, seq) (multimodal RoPE: rotary frequencies
                    [2, 2, 1] read rows t, h, w) and a scalar logits_to_keep (0 = every position)
  --variant fp16    e2e/fixtures/tiny-llama-fp16: the prefill graph computing in fp16
  --variant int8-dynamic  e2e/fixtures/tiny-llama-int8-dynamic: the prefill graph as onnxruntime's
                    quantize_dynamic writes it (DynamicQuantizeLinear + MatMulInteger + Cast + Mul)

  /usr/bin/python3 tools/make_tiny_llama.py [--variant plain|extras|fp16] [--out DIR]
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


# hidden 40 / 4 heads: head dim 10, 5 rotary frequencies; mrope sections [2, 2, 1] (rows t, h, w)
MROPE_ROWS = [0, 0, 1, 1, 2]


class TinyLlama(nn.Module):
    def __init__(self, c, extras=False):
        super().__init__()
        self.c = c
        # extras: inputs some published decoders have: position_ids of rank 3 (3, batch, seq) as in
        # multimodal RoPE (Qwen2-VL's mrope: each third of the rotary frequencies reads one row) and
        # logits_to_keep (a scalar; 0 keeps every position's logits, k > 0 only the last k)
        self.extras = extras
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList([Block(c) for _ in range(c["num_hidden_layers"])])
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        hd = c["hidden_size"] // c["num_attention_heads"]
        self.register_buffer("inv_freq", 1.0 / (c["rope_theta"] ** (torch.arange(0, hd, 2).float() / hd)), persistent=False)

    def forward(self, input_ids, attention_mask, *rest):
        b, t = input_ids.shape
        if self.extras:
            position_ids, logits_to_keep, past = rest[0], rest[1], rest[2:]
            # (3, b, t, freqs): frequency i rotates by the position in row MROPE_ROW[i]
            f = position_ids.float()[..., None] * self.inv_freq
            freqs = torch.cat([f[r, :, :, i:i + 1] for i, r in enumerate(MROPE_ROWS)], dim=-1)
            emb = torch.cat([freqs, freqs], dim=-1)
            cos, sin = emb.cos()[:, None], emb.sin()[:, None]
        else:
            past = rest
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
        if self.extras:
            # Hugging Face's slice(-logits_to_keep, None): 0 keeps all; written so the export keeps it dynamic
            start = (t - logits_to_keep) % t
            x = x.index_select(1, torch.arange(start, t))
        logits = self.lm_head(self.norm(x))
        return (logits, *presents) if past else logits


def export_plain(model, out):
    ids = torch.tensor([[1, 2, 3, 4, 5]])
    mask = torch.ones_like(ids)
    torch.onnx.export(model, (ids, mask), os.path.join(out, "onnx", "model.onnx"), opset_version=17,
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
    torch.onnx.export(model, (ids, torch.ones(1, 8, dtype=torch.long), *past), os.path.join(out, "onnx", "decoder_model.onnx"),
                      opset_version=17, input_names=["input_ids", "attention_mask", *past_names],
                      output_names=["logits", *present_names], dynamic_axes=dyn)


def export_extras(model, out):
    """One KV-cache decoder, onnx/model.onnx as transformers.js-ready repos name it, with the extra inputs."""
    nkv, hd, n = CFG["num_key_value_heads"], CFG["hidden_size"] // CFG["num_attention_heads"], CFG["num_hidden_layers"]
    ids = torch.tensor([[1, 2, 3, 4, 5]])
    past = tuple(torch.randn(1, nkv, 3, hd) for _ in range(2 * n))
    pos = (torch.arange(5) + 3).view(1, 1, 5).expand(3, 1, 5).contiguous()
    keep = torch.tensor(2, dtype=torch.long)
    past_names = [f"past_key_values.{i}.{kv}" for i in range(n) for kv in ("key", "value")]
    present_names = [f"present.{i}.{kv}" for i in range(n) for kv in ("key", "value")]
    dyn = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "total"}, "position_ids": {1: "batch", 2: "seq"},
           "logits": {0: "batch", 1: "kept"}}
    dyn.update({p: {0: "batch", 2: "past"} for p in past_names})
    dyn.update({p: {0: "batch", 2: "total"} for p in present_names})
    torch.onnx.export(model, (ids, torch.ones(1, 8, dtype=torch.long), pos, keep, *past), os.path.join(out, "onnx", "model.onnx"),
                      opset_version=17, input_names=["input_ids", "attention_mask", "position_ids", "logits_to_keep", *past_names],
                      output_names=["logits", *present_names], dynamic_axes=dyn)


def to_half(path):
    """The f32 graph rewritten to compute in fp16, as float16 converters do: every float initializer,
    Constant, ConstantOfShape value, Cast to float and declared float type becomes half."""
    import numpy as np
    import onnx
    from onnx import TensorProto, numpy_helper
    m = onnx.load(path)
    g = m.graph
    half = lambda t: numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), t.name)
    for i, t in enumerate(g.initializer):
        if t.data_type == TensorProto.FLOAT:
            g.initializer[i].CopyFrom(half(t))
    for node in g.node:
        for a in node.attribute:
            if node.op_type == "Cast" and a.name == "to" and a.i == TensorProto.FLOAT:
                a.i = TensorProto.FLOAT16
            if a.type == onnx.AttributeProto.TENSOR and a.t.data_type == TensorProto.FLOAT:
                a.t.CopyFrom(half(a.t))
    for v in list(g.input) + list(g.output) + list(g.value_info):
        if v.type.tensor_type.elem_type == TensorProto.FLOAT:
            v.type.tensor_type.elem_type = TensorProto.FLOAT16
    onnx.checker.check_model(m)
    onnx.save(m, path)


def to_int8_dynamic(path):
    """The f32 graph quantized the way onnxruntime's quantize_dynamic writes it (no ORT quantizer is
    installable here, so it is written out): every MatMul with a constant weight becomes
        x -> DynamicQuantizeLinear -> (x_q uint8, x_scale, x_zero_point)      (one per distinct x)
        MatMulInteger(x_q, W_q, x_zero_point, W_zero_point) -> int32 -> Cast(float) -> Mul(x_scale * W_scale)
    Two weight forms, as the quantizer's options give them: attention projections per tensor, uint8
    with a zero point (asymmetric); MLP and LM head per output column, int8 symmetric (zero point 0)."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    m = onnx.load(path)
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    nodes, new_inits, dql = [], [], {}
    for node in g.node:
        w = inits.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) > 1 else None
        if w is None or w.data_type != TensorProto.FLOAT or len(w.dims) != 2:
            nodes.append(node)
            continue
        W = numpy_helper.to_array(w).astype(np.float64)
        base = node.input[1]
        if any(k in node.name for k in ("q_proj", "k_proj", "v_proj", "o_proj")):
            lo, hi = min(W.min(), 0.0), max(W.max(), 0.0)
            scale = np.float32((hi - lo) / 255.0)
            zp = np.uint8(np.clip(np.round(-lo / scale), 0, 255))
            q = np.clip(np.round(W / scale) + zp, 0, 255).astype(np.uint8)
            scale_t, zp_t = np.array(scale, dtype=np.float32), np.array(zp, dtype=np.uint8)
        else:
            scale_t = (np.abs(W).max(axis=0) / 127.0).astype(np.float32)
            scale_t[scale_t == 0] = 1
            q = np.clip(np.round(W / scale_t), -127, 127).astype(np.int8)
            zp_t = np.zeros(W.shape[1], dtype=np.int8)
        new_inits += [numpy_helper.from_array(q, base + "_quantized"), numpy_helper.from_array(scale_t, base + "_scale"),
                      numpy_helper.from_array(zp_t, base + "_zero_point")]
        x, out = node.input[0], node.output[0]
        if x not in dql:
            dql[x] = (x + "_quantized", x + "_scale", x + "_zero_point")
            nodes.append(helper.make_node("DynamicQuantizeLinear", [x], list(dql[x]), name=x + "_QuantizeLinear"))
        xq, xs, xz = dql[x]
        nodes += [
            helper.make_node("MatMulInteger", [xq, base + "_quantized", xz, base + "_zero_point"], [out + "_output_quantized"], name=node.name + "_quant"),
            helper.make_node("Cast", [out + "_output_quantized"], [out + "_output_quantized_cast_output"], name=node.name + "_cast", to=TensorProto.FLOAT),
            helper.make_node("Mul", [xs, base + "_scale"], [out + "_scales_mul"], name=node.name + "_scales_mul"),
            helper.make_node("Mul", [out + "_output_quantized_cast_output", out + "_scales_mul"], [out], name=node.name + "_output_scale_mul"),
        ]
    quantized = {n.input[1] for n in nodes if n.op_type == "MatMulInteger"}
    keep = [t for t in g.initializer if t.name + "_quantized" not in quantized]
    del g.initializer[:]
    g.initializer.extend(keep + new_inits)
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(m)
    onnx.save(m, path)


def seeded_model(seed, extras=False):
    """The tiny Llama with seeded random weights: the same seed gives the same weights in every
    variant (the parameters are made in the same order); tools/make_merged_decoder_fixture.py uses it too."""
    torch.manual_seed(seed)
    model = TinyLlama(CFG, extras=extras).eval()
    with torch.no_grad():
        for n, p in model.named_parameters():
            # wider than the usual 0.02 so the random logits are far from uniform
            if p.dim() == 2:
                p.normal_(0, 0.2)
            elif "layernorm" in n or n == "norm.weight":
                p.uniform_(0.5, 1.5)
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--variant", choices=["plain", "extras", "fp16", "int8-dynamic"], default="plain",
                    help="plain: prefill + KV-cache graphs; extras: one KV-cache decoder with 3-D position_ids and "
                         "logits_to_keep; fp16: the prefill graph computing in fp16; int8-dynamic: the prefill graph "
                         "as onnxruntime's quantize_dynamic writes it (DynamicQuantizeLinear + MatMulInteger)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    out = a.out or os.path.join(ROOT, "e2e", "fixtures", {"plain": "tiny-llama", "extras": "tiny-llama-extras", "fp16": "tiny-llama-fp16",
                                                            "int8-dynamic": "tiny-llama-int8-dynamic"}[a.variant])
    model = seeded_model(a.seed, extras=a.variant == "extras")
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    if a.variant == "extras":
        export_extras(model, out)
    else:
        export_plain(model, out)
    if a.variant in ("fp16", "int8-dynamic"):
        os.remove(os.path.join(out, "onnx", "decoder_model.onnx"))
        (to_half if a.variant == "fp16" else to_int8_dynamic)(os.path.join(out, "onnx", "model.onnx"))
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "tie_word_embeddings": False, "hidden_act": "silu",
           "bos_token_id": 8191, "eos_token_id": 8191, "torch_dtype": "float16" if a.variant == "fp16" else "float32", **CFG}
    if a.variant == "extras":
        cfg["rope_scaling"] = {"type": "mrope", "mrope_section": [MROPE_ROWS.count(r) for r in range(3)]}
    json.dump(cfg, open(os.path.join(out, "config.json"), "w"), indent=1)
    demo = os.path.join(ROOT, "public", "models", "brown-gpt2")
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(demo, f), os.path.join(out, f))
    print(f"tiny llama ({a.variant}): {sum(p.numel() for p in model.parameters())} parameters -> {out}")


if __name__ == "__main__":
    main()
