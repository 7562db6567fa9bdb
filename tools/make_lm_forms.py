"""Write an exported GPT folder (tools/export_lm.py's layout: onnx/model.onnx + the KV-cache
onnx/decoder_model_merged.onnx) in more published forms, with onnx and numpy only (no torch, a few
seconds), for the lab's tests (issue 7's matrix: the demo LM and the random GPT-2 shapes):

  onnx/model.onnx                  copied
  onnx/decoder_model_merged.onnx   Optimum's merged decoder: one If on use_cache_branch (bool [1]);
                                   then = the KV-cache decoder, else = the same graph with its past
                                   inputs replaced by empty tensors made inside the branch (Optimum's
                                   decoder_model.onnx: it ignores the past it is given); the weights
                                   stored once (tools/make_merged_decoder_fixture.py merge)
  onnx/model_fp16.onnx             the prefill graph computing in fp16 (make_tiny_llama.to_half)
  onnx/model_int8_qdq.onnx         weight-only QDQ int8 linears (published_forms.qdq_int8)
  onnx/model_gemm.onnx             every MatMul with a 2-D weight as Gemm(transB=0) on the (in, out) weight,
                                   between Reshapes to 2-D and back (as some converters write a Linear)
  config.json, tokenizer files     copied
  --external-out DIR               DIR/onnx/model.onnx with its weights (tensors of 1 KiB and more) in two
                                   external data files, model.onnx_data and model.onnx_data_1, tensors
                                   alternating between them (as large exports split their data)

  /usr/bin/python3 tools/make_lm_forms.py --model-dir public/models/brown-gpt2-tiny --out .cache/models/brown-gpt2-tiny-forms
"""
import argparse
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from published_forms import qdq_int8  # noqa: E402

PAST = "past_key_values."
FILES = ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


def without_past(kv):
    """The KV-cache decoder as one without past inputs: each past input becomes an empty
    (batch, heads, 0, head_dim) tensor, batch from input_ids' shape, the rest as declared."""
    m = onnx.ModelProto()
    m.CopyFrom(kv)
    g = m.graph
    past = [i for i in g.input if i.name.startswith(PAST)]
    nodes = [helper.make_node("Shape", ["input_ids"], ["empty_past/batch"], name="empty_past/Shape", start=0, end=1)]
    for i in past:
        d = i.type.tensor_type.shape.dim
        heads, hd = d[1].dim_value, d[3].dim_value
        assert heads > 0 and hd > 0, f"{i.name}: heads and head dim must be declared, got {d}"
        rest = f"empty_past/{i.name}/rest"
        nodes.append(helper.make_node("Constant", [], [rest], name=rest, value=numpy_helper.from_array(np.array([heads, 0, hd], dtype=np.int64))))
        nodes.append(helper.make_node("Concat", ["empty_past/batch", rest], [f"empty_past/{i.name}/shape"], name=f"empty_past/{i.name}/Concat", axis=0))
        nodes.append(helper.make_node("ConstantOfShape", [f"empty_past/{i.name}/shape"], [f"empty_past/{i.name}"], name=f"empty_past/{i.name}/ConstantOfShape",
                                      value=helper.make_tensor("zero", TensorProto.FLOAT, [1], [0.0])))
    names = {i.name: f"empty_past/{i.name}" for i in past}
    for node in g.node:
        node.input[:] = [names.get(n, n) for n in node.input]
    rest = list(g.node)
    del g.node[:]
    g.node.extend(nodes + rest)
    keep = [i for i in g.input if not i.name.startswith(PAST)]
    del g.input[:]
    g.input.extend(keep)
    return m


def gemm_linears(m):
    """x (..., K) @ W (K, N) -> Reshape(x, (-1, K)) -> Gemm(·, W, transB=0) -> Reshape to (..., N)."""
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    nodes = []
    for node in g.node:
        t = inits.get(node.input[1]) if node.op_type == "MatMul" else None
        if t is None or len(t.dims) != 2 or t.data_type != TensorProto.FLOAT:
            nodes.append(node)
            continue
        K, N = t.dims
        x, y, p = node.input[0], node.output[0], (node.name or y) + "/gemm"
        const = lambda name, v: helper.make_node("Constant", [], [name], name=name, value=numpy_helper.from_array(np.array(v, dtype=np.int64)))
        nodes += [const(p + "/in_shape", [-1, K]), const(p + "/n", [N]),
                  helper.make_node("Reshape", [x, p + "/in_shape"], [p + "/x2"], name=p + "/Reshape_in"),
                  helper.make_node("Gemm", [p + "/x2", t.name], [p + "/y2"], name=node.name or p, transB=0),
                  helper.make_node("Shape", [x], [p + "/lead"], name=p + "/Shape", start=0, end=-1),
                  helper.make_node("Concat", [p + "/lead", p + "/n"], [p + "/out_shape"], name=p + "/Concat", axis=0),
                  helper.make_node("Reshape", [p + "/y2", p + "/out_shape"], [y], name=p + "/Reshape_out")]
    del g.node[:]
    g.node.extend(nodes)
    return m


def split_external(m, onnx_dir, threshold=1024):
    """Every initializer of `threshold` bytes and more moved to model.onnx_data / model.onnx_data_1 in
    turn (offsets 4 KiB aligned, as onnx writes them); the graph saved as onnx_dir/model.onnx."""
    files = ["model.onnx_data", "model.onnx_data_1"]
    blobs = [bytearray(), bytearray()]
    n = 0
    for t in m.graph.initializer:
        raw = numpy_helper.to_array(t).tobytes()
        if len(raw) < threshold:
            continue
        k = n % 2
        n += 1
        blobs[k].extend(b"\0" * (-len(blobs[k]) % 4096))
        offset = len(blobs[k])
        blobs[k].extend(raw)
        t.ClearField("raw_data")
        t.ClearField("float_data")
        t.data_location = TensorProto.EXTERNAL
        del t.external_data[:]
        for key, value in (("location", files[k]), ("offset", str(offset)), ("length", str(len(raw)))):
            t.external_data.add(key=key, value=value)
    os.makedirs(onnx_dir, exist_ok=True)
    for f, b in zip(files, blobs):
        open(os.path.join(onnx_dir, f), "wb").write(b)
    onnx.save(m, os.path.join(onnx_dir, "model.onnx"))
    onnx.checker.check_model(os.path.join(onnx_dir, "model.onnx"))
    return n


def copy_files(src, dst):
    for f in FILES:
        if os.path.exists(os.path.join(src, f)):
            shutil.copy(os.path.join(src, f), os.path.join(dst, f))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--external-out", default=None)
    a = ap.parse_args()
    # these modules import torch (~2 s), though merge() and to_half() use onnx alone
    from make_merged_decoder_fixture import merge
    from make_tiny_llama import to_half
    src, out = os.path.join(a.model_dir, "onnx"), os.path.join(a.out, "onnx")
    os.makedirs(out, exist_ok=True)
    copy_files(a.model_dir, a.out)
    shutil.copy(os.path.join(src, "model.onnx"), os.path.join(out, "model.onnx"))
    kv = onnx.load(os.path.join(src, "decoder_model_merged.onnx"))
    merged, shared = merge(without_past(kv), kv)
    onnx.save(merged, os.path.join(out, "decoder_model_merged.onnx"))
    shutil.copy(os.path.join(src, "model.onnx"), os.path.join(out, "model_fp16.onnx"))
    to_half(os.path.join(out, "model_fp16.onnx"))
    m = qdq_int8(onnx.load(os.path.join(src, "model.onnx")))
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(out, "model_int8_qdq.onnx"))
    m = gemm_linears(onnx.load(os.path.join(src, "model.onnx")))
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(out, "model_gemm.onnx"))
    if a.external_out:
        n = split_external(onnx.load(os.path.join(src, "model.onnx")), os.path.join(a.external_out, "onnx"))
        copy_files(a.model_dir, a.external_out)
        print(f"{n} tensors in two external data files ->", a.external_out)
    for f in sorted(os.listdir(out)):
        print(f, os.path.getsize(os.path.join(out, f)), "bytes", f"({shared} shared initializers)" if f.startswith("decoder") else "")


if __name__ == "__main__":
    main()
