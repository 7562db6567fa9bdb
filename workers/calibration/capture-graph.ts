/**
 * The capture model: the source graph with its outputs replaced by the input activations of some
 * linear layers (the A input of each MatMul/Gemm). Nothing else changes, so the activations are
 * exactly those of the source model; nodes that feed no captured tensor (e.g. the LM head when only
 * earlier layers are captured) are pruned by onnxruntime and cost nothing.
 */
import type { LinearWeight } from '../api';
import type onnxProto from 'onnx-proto';
import { onnx, serializeGraph, type ParsedModel } from '../model/onnx-graph';

/** The graph tensor that feeds each linear weight's node, by weight name. */
export function linearInputs(m: ParsedModel, weights: readonly LinearWeight[]): Map<string, string> {
  const byB = new Map<string, string>();
  for (const n of m.proto.graph!.node) {
    if ((n.opType === 'MatMul' || n.opType === 'Gemm') && !byB.has(n.input[1])) byB.set(n.input[1], n.input[0]);
  }
  const out = new Map<string, string>();
  for (const w of weights) {
    const a = byB.get(w.name);
    if (!a) throw new Error(`no MatMul/Gemm reads ${w.name}`);
    out.set(w.name, a);
  }
  return out;
}

/** Serialized model whose only outputs are `tensors` (f32 activations), in that order. */
export function captureModel(m: ParsedModel, tensors: readonly string[]): Uint8Array {
  const output = tensors.map((name) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }));
  return serializeGraph(m, { output } as unknown as Partial<onnxProto.onnx.IGraphProto>);
}
