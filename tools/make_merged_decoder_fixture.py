"""Write the tiny Llama (tools/make_tiny_llama.py, same seed, same weights) as Optimum's merged
decoder, e2e/fixtures/tiny-llama-merged/onnx/decoder_model_merged.onnx:

  inputs   input_ids, attention_mask, past_key_values.N.key/value, use_cache_branch (bool [1])
  one If on use_cache_branch:
    else   the decoder without a cache (Optimum's decoder_model.onnx): ignores the past inputs
    then   the decoder with a cache (decoder_with_past_model.onnx)
  outputs  logits, present.N.key/value

As optimum.onnx.merge_decoders builds it: both graphs are exported, initializers equal in both are
stored once at the top (the branches read them from the outer scope), every other name inside a
branch is prefixed so the two branches and the outer graph never share one. No ORT tooling is
installable here, so the merge is written out with onnx.helper. Random weights (seeded); about
2.9 MB (the weights once).

  /usr/bin/python3 tools/make_merged_decoder_fixture.py [--out DIR]
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile

import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tiny_llama import CFG, ROOT, seeded_model  # noqa: E402

NKV, HD, N = CFG["num_key_value_heads"], CFG["hidden_size"] // CFG["num_attention_heads"], CFG["num_hidden_layers"]
PAST = [f"past_key_values.{i}.{kv}" for i in range(N) for kv in ("key", "value")]
PRESENT = [f"present.{i}.{kv}" for i in range(N) for kv in ("key", "value")]


class NoCache(torch.nn.Module):
    """The decoder without past inputs that still returns present.* (Optimum's decoder_model.onnx)."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask):
        empty = torch.zeros(input_ids.shape[0], NKV, 0, HD)
        return self.m(input_ids, attention_mask, *([empty] * (2 * N)))


def export_both(model, tmp):
    ids = torch.tensor([[1, 2, 3, 4, 5]])
    no_cache, with_cache = os.path.join(tmp, "decoder_model.onnx"), os.path.join(tmp, "decoder_with_past_model.onnx")
    dyn = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "total"}, "logits": {0: "batch", 1: "seq"}}
    torch.onnx.export(NoCache(model), (ids, torch.ones_like(ids)), no_cache, opset_version=17,
                      input_names=["input_ids", "attention_mask"], output_names=["logits", *PRESENT],
                      dynamic_axes={**dyn, **{p: {0: "batch", 2: "total"} for p in PRESENT}})
    past = tuple(torch.randn(1, NKV, 3, HD) for _ in range(2 * N))
    torch.onnx.export(model, (ids, torch.ones(1, 8, dtype=torch.long), *past), with_cache, opset_version=17,
                      input_names=["input_ids", "attention_mask", *PAST], output_names=["logits", *PRESENT],
                      dynamic_axes={**dyn, **{p: {0: "batch", 2: "past"} for p in PAST}, **{p: {0: "batch", 2: "total"} for p in PRESENT}})
    return onnx.load(no_cache), onnx.load(with_cache)


def tensor_key(t):
    return (t.data_type, tuple(t.dims), hashlib.sha256(numpy_helper.to_array(t).tobytes()).hexdigest())


def branch(model, prefix, outer_inputs, shared):
    """The model's graph as an If branch: no inputs, initializers moved to `shared` (deduplicated by
    content), every name but the outer inputs and the shared initializers prefixed."""
    g = model.graph
    rename = {}
    for t in g.initializer:
        key = tensor_key(t)
        if key not in shared:
            c = onnx.TensorProto()
            c.CopyFrom(t)
            c.name = f"shared_{len(shared)}"
            shared[key] = c
        rename[t.name] = shared[key].name
    name = lambda n: n if (n == "" or n in outer_inputs) else rename.get(n, prefix + n)
    nodes = []
    for node in g.node:
        n = onnx.NodeProto()
        n.CopyFrom(node)
        n.name = prefix + (node.name or node.op_type)
        n.input[:] = [name(i) for i in node.input]
        n.output[:] = [name(o) for o in node.output]
        nodes.append(n)
    def renamed(values):
        out = []
        for vi in values:
            v = onnx.ValueInfoProto()
            v.CopyFrom(vi)
            v.name = name(vi.name)
            out.append(v)
        return out
    return helper.make_graph(nodes, prefix.strip("/"), [], renamed(g.output), value_info=renamed(g.value_info))


def merge(no_cache, with_cache):
    outer_inputs = {i.name for i in with_cache.graph.input} | {"use_cache_branch"}
    shared = {}
    then_g = branch(with_cache, "with_past/", outer_inputs, shared)
    else_g = branch(no_cache, "no_past/", outer_inputs, shared)
    cond = helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1])
    node = helper.make_node("If", ["use_cache_branch"], [o.name for o in with_cache.graph.output], name="optimum::if",
                            then_branch=then_g, else_branch=else_g)
    graph = helper.make_graph([node], "merged_decoder", [*with_cache.graph.input, cond], list(with_cache.graph.output),
                              initializer=list(shared.values()))
    m = helper.make_model(graph, opset_imports=list(with_cache.opset_import), producer_name="make_merged_decoder_fixture")
    m.ir_version = with_cache.ir_version
    onnx.checker.check_model(m)
    return m, len(shared)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "e2e", "fixtures", "tiny-llama-merged"))
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    # make_tiny_llama.py's plain variant: the same weights
    model = seeded_model(a.seed)
    os.makedirs(os.path.join(a.out, "onnx"), exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        no_cache, with_cache = export_both(model, tmp)
    merged, n_shared = merge(no_cache, with_cache)
    path = os.path.join(a.out, "onnx", "decoder_model_merged.onnx")
    onnx.save(merged, path)
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "tie_word_embeddings": False, "hidden_act": "silu",
           "bos_token_id": 8191, "eos_token_id": 8191, "torch_dtype": "float32", "use_cache": True, **CFG}
    json.dump(cfg, open(os.path.join(a.out, "config.json"), "w"), indent=1)
    demo = os.path.join(ROOT, "public", "models", "brown-gpt2")
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(demo, f), os.path.join(a.out, f))
    print(f"merged tiny llama: {n_shared} shared initializers, {os.path.getsize(path):,} bytes -> {path}")


if __name__ == "__main__":
    main()
