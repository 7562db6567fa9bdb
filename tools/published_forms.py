"""Rewrites of an f32 ONNX language model into the forms models are published in, written out with
onnx.helper and numpy (no onnxruntime quantizer is installable here). Each takes and returns an
onnx.ModelProto; the arithmetic is the one the runtime's dequantization undoes:

  bf16_weights(m)   every float initializer stored bf16, widened by a Cast(to=float) as the graph
                    starts (weights bf16 + Cast; activations stay f32)
  bf16_graph(m)     the whole graph computing in bf16: initializers, Constant values, Casts to float
                    and declared float types (like float16 converters, with bfloat16)
  qdq_int8(m)       every MatMul weight int8/uint8 + DequantizeLinear (weight-only QDQ): attention
                    projections per tensor, uint8 with a zero point; the rest per output column,
                    int8 symmetric (axis 1)
  matmul_nbits(m)   every MatMul weight as com.microsoft MatMulNBits, 4-bit, block 32, asymmetric
                    (uint8 zero points), as onnxruntime's MatMul4BitsQuantizer writes it
  gbq_embedding(m)  the token embedding's Gather as com.microsoft GatherBlockQuantized, 4-bit,
                    block 32, uint8 zero points (transformers.js' q4 models do this)

Rounding: bf16 round-to-nearest-even on the f32 bits; integer codes round half to even (numpy).
Used by tools/make_published_forms.py (tiny Llama fixtures) and tools/make_random_model.py --forms.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MS = "com.microsoft"
ATTENTION = ("q_proj", "k_proj", "v_proj", "o_proj", "attn")


def bf16_bits(a):
    """float32 values -> their bfloat16 bit patterns (uint16), rounded to nearest even."""
    u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def bf16_tensor(name, a):
    a = np.asarray(a, dtype=np.float32)
    return helper.make_tensor(name, TensorProto.BFLOAT16, list(a.shape), bf16_bits(a).tobytes(), raw=True)


def bf16_widened(a):
    """The f32 value a bfloat16 stands for (what a Cast to float gives)."""
    return (bf16_bits(a).astype(np.uint32) << 16).view(np.float32)


def _ms_opset(m):
    if not any(o.domain == MS for o in m.opset_import):
        m.opset_import.append(helper.make_opsetid(MS, 1))


def bf16_weights(m):
    g = m.graph
    casts, inits = [], []
    for t in g.initializer:
        if t.data_type != TensorProto.FLOAT or len(t.dims) == 0:
            inits.append(t)
            continue
        inits.append(bf16_tensor(t.name + "_bf16", numpy_helper.to_array(t)))
        casts.append(helper.make_node("Cast", [t.name + "_bf16"], [t.name], name=t.name + "_to_float", to=TensorProto.FLOAT))
    del g.initializer[:]
    g.initializer.extend(inits)
    nodes = casts + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    return m


def bf16_graph(m):
    g = m.graph
    for i, t in enumerate(g.initializer):
        if t.data_type == TensorProto.FLOAT:
            g.initializer[i].CopyFrom(bf16_tensor(t.name, numpy_helper.to_array(t)))
    for node in g.node:
        for a in node.attribute:
            if node.op_type == "Cast" and a.name == "to" and a.i == TensorProto.FLOAT:
                a.i = TensorProto.BFLOAT16
            if a.type == onnx.AttributeProto.TENSOR and a.t.data_type == TensorProto.FLOAT:
                a.t.CopyFrom(bf16_tensor(a.t.name, numpy_helper.to_array(a.t)))
    for v in list(g.input) + list(g.output) + list(g.value_info):
        if v.type.tensor_type.elem_type == TensorProto.FLOAT:
            v.type.tensor_type.elem_type = TensorProto.BFLOAT16
    return m


def _matmul_weights(g):
    """(node, weight initializer) for every MatMul whose B is a 2-D float initializer."""
    inits = {t.name: t for t in g.initializer}
    for node in g.node:
        if node.op_type == "MatMul" and node.input[1] in inits:
            t = inits[node.input[1]]
            if t.data_type == TensorProto.FLOAT and len(t.dims) == 2:
                yield node, t


def _replace_initializers(g, drop, add):
    keep = [t for t in g.initializer if t.name not in drop]
    del g.initializer[:]
    g.initializer.extend(keep + add)


def qdq_int8(m):
    g = m.graph
    pre, add, drop = [], [], set()
    for node, t in list(_matmul_weights(g)):
        if t.name in drop:
            continue
        W = numpy_helper.to_array(t).astype(np.float64)
        if any(k in node.name or k in t.name for k in ATTENTION):
            lo, hi = min(W.min(), 0.0), max(W.max(), 0.0)
            scale = np.float32((hi - lo) / 255.0)
            zp = np.uint8(np.clip(np.round(-lo / scale), 0, 255))
            q = np.clip(np.round(W / scale) + zp, 0, 255).astype(np.uint8)
            scale_t, zp_t, attrs = np.array(scale, dtype=np.float32), np.array(zp, dtype=np.uint8), {}
        else:
            scale_t = (np.abs(W).max(axis=0) / 127.0).astype(np.float32)
            scale_t[scale_t == 0] = 1
            q = np.clip(np.round(W / scale_t), -127, 127).astype(np.int8)
            zp_t, attrs = np.zeros(W.shape[1], dtype=np.int8), {"axis": 1}
        add += [numpy_helper.from_array(q, t.name + "_quantized"), numpy_helper.from_array(scale_t, t.name + "_scale"),
                numpy_helper.from_array(zp_t, t.name + "_zero_point")]
        pre.append(helper.make_node("DequantizeLinear", [t.name + "_quantized", t.name + "_scale", t.name + "_zero_point"], [t.name],
                                    name=t.name + "_DequantizeLinear", **attrs))
        drop.add(t.name)
    _replace_initializers(g, drop, add)
    nodes = pre + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    return m


def _block_quantize(rows, bits, block):
    """(R, C) f32 -> packed codes (R, blocks·block·bits/8) uint8, scales (R, blocks) f32, packed zero
    points (R, ceil(blocks·bits/8)) uint8; asymmetric per block, the last block padded with zeros."""
    R, C = rows.shape
    blocks = -(-C // block)
    padded = np.zeros((R, blocks * block), dtype=np.float64)
    padded[:, :C] = rows
    x = padded.reshape(R, blocks, block)
    top = (1 << bits) - 1
    lo, hi = np.minimum(x.min(axis=2), 0.0), np.maximum(x.max(axis=2), 0.0)
    scale = ((hi - lo) / top).astype(np.float32)
    scale[scale == 0] = 1
    zp = np.clip(np.round(-lo / scale), 0, top).astype(np.uint8)
    q = np.clip(np.round(x / scale[:, :, None]) + zp[:, :, None], 0, top).astype(np.uint8)
    assert bits == 4, "only 4-bit packing is written here"
    q = q.reshape(R, -1)
    codes = (q[:, 0::2] | (q[:, 1::2] << 4)).astype(np.uint8)
    zpad = np.full((R, blocks + (blocks & 1)), 0, dtype=np.uint8)
    zpad[:, :blocks] = zp
    zps = (zpad[:, 0::2] | (zpad[:, 1::2] << 4)).astype(np.uint8)
    return codes, scale, zps


def matmul_nbits(m, bits=4, block=32):
    g = m.graph
    _ms_opset(m)
    add, drop, nodes = [], set(), []
    weights = {node.name: t for node, t in _matmul_weights(g)}
    for node in g.node:
        t = weights.get(node.name) if node.op_type == "MatMul" else None
        if t is None:
            nodes.append(node)
            continue
        W = numpy_helper.to_array(t)
        K, N = W.shape
        codes, scale, zps = _block_quantize(W.T.astype(np.float64), bits, block)
        blocks = scale.shape[1]
        base = t.name
        if base not in drop:
            add += [numpy_helper.from_array(codes.reshape(N, blocks, block * bits // 8), base + "_Q4"),
                    numpy_helper.from_array(scale.reshape(-1), base + "_scales"),
                    numpy_helper.from_array(zps.reshape(-1), base + "_zero_points")]
            drop.add(base)
        nodes.append(helper.make_node("MatMulNBits", [node.input[0], base + "_Q4", base + "_scales", base + "_zero_points"], list(node.output),
                                      name=node.name + "_Q4", domain=MS, K=K, N=N, bits=bits, block_size=block))
    _replace_initializers(g, drop, add)
    del g.node[:]
    g.node.extend(nodes)
    return m


def gbq_embedding(m, bits=4, block=32):
    """The Gather reading input_ids from a 2-D float table -> GatherBlockQuantized; the table is
    dropped when nothing else reads it."""
    g = m.graph
    _ms_opset(m)
    inits = {t.name: t for t in g.initializer}
    nodes, add, drop = [], [], set()
    for node in g.node:
        t = inits.get(node.input[0]) if node.op_type == "Gather" else None
        if t is None or t.data_type != TensorProto.FLOAT or len(t.dims) != 2 or node.input[1] != "input_ids":
            nodes.append(node)
            continue
        table = numpy_helper.to_array(t)
        codes, scale, zps = _block_quantize(table.astype(np.float64), bits, block)
        # GatherBlockQuantized reads uint8 data as (rows, cols·bits/8): a short last block is not padded
        codes = codes[:, : table.shape[1] * bits // 8]
        base = t.name
        add += [numpy_helper.from_array(codes, base + "_Q4"), numpy_helper.from_array(scale, base + "_scales"),
                numpy_helper.from_array(zps, base + "_zero_points")]
        nodes.append(helper.make_node("GatherBlockQuantized", [base + "_Q4", node.input[1], base + "_scales", base + "_zero_points"], list(node.output),
                                      name=node.name + "_Q4", domain=MS, bits=bits, block_size=block, gather_axis=0, quantize_axis=1))
        drop.add(base)
    still_read = {i for n in nodes for i in n.input}
    _replace_initializers(g, {d for d in drop if d not in still_read}, add)
    del g.node[:]
    g.node.extend(nodes)
    return m
