/**
 * AWQ's packed form: a weight stored as Q(W · diag(s)) computes the layer only on inputs divided by
 * s (x W = (x / s)(diag(s) W)). Where the input comes straight from a normalization whose scale
 * (and bias) are initializers, 1/s is folded into them — LayerNorm's γ·(1/s) and β·(1/s), RMSNorm's
 * γ·(1/s), or a plain Mul by a per-channel initializer (a decomposed RMSNorm) — so the packed model
 * has no extra op there (GPT-2's c_attn and c_fc, Llama's q/k/v and gate/up when they share s).
 * Folding needs every reader of the norm's output to be a linear layer with the same s (Shape
 * readers do not care about values); otherwise, and for inputs that do not come from a norm
 * (attention output, the MLP's activation), a Mul by 1/s goes in front of the MatMulNBits.
 * Both ways compute x · fround(1/s) first, so they agree with each other; against the simulated
 * weights ŵ = fround(q · scale / s) they differ only in f32 rounding (checked on perplexity).
 */
import { onnx, readF32, type NodeProto, type ParsedModel, type TensorProto } from '../model/onnx-graph';

/** Normalizations whose output 0 is γ ⊙ x̂ (+ β) with γ = input 1 and β = input 2 (when present). */
const NORMS = new Set(['LayerNormalization', 'SimplifiedLayerNormalization', 'RMSNormalization', 'SkipLayerNormalization', 'SkipSimplifiedLayerNormalization']);

export interface InputScalePlan {
  /** the MatMul/Gemm nodes whose input already carries 1/s (folded into the norm before them): no Mul for these */
  folded: Set<NodeProto>;
  /** norm (or Mul) nodes to write instead of the originals: same op, scaled γ / β initializers */
  replaced: Map<NodeProto, NodeProto>;
  /** the scaled γ / β initializers */
  initializers: TensorProto[];
  /** initializers those replace under the same name (no other node read them) */
  replacedNames: Set<string>;
}

const sameValues = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/**
 * Which scaled weights can fold 1/s into their input's norm. `inverse` maps a weight name to
 * fround(1/s) per input channel.
 */
export function planInputScales(m: ParsedModel, inverse: ReadonlyMap<string, Float32Array>): InputScalePlan {
  const plan: InputScalePlan = { folded: new Set(), replaced: new Map(), initializers: [], replacedNames: new Set() };
  if (!inverse.size) return plan;
  const g = m.proto.graph!;
  const readers = new Map<string, NodeProto[]>();
  for (const n of g.node) for (const i of n.input) readers.set(i, [...(readers.get(i) ?? []), n]);
  const initUses = (name: string) => g.node.filter((n) => n.input.includes(name)).length;
  for (const n of g.node) {
    const out = n.output[0];
    const linear = (readers.get(out) ?? []).filter((r) => (r.opType === 'MatMul' || r.opType === 'Gemm') && r.input[0] === out);
    const scaled = linear.map((r) => inverse.get(r.input[1]));
    if (!linear.length || scaled.some((s) => !s)) continue;
    const inv = scaled[0]!;
    if (!scaled.every((s) => sameValues(s!, inv))) continue;
    if ((readers.get(out) ?? []).some((r) => !linear.includes(r) && r.opType !== 'Shape')) continue;
    // γ (and β) as initializers of one value per input channel
    let params: number[];
    if (NORMS.has(n.opType)) params = [1, 2].filter((i) => n.input[i]);
    else if (n.opType === 'Mul' && !n.domain) params = [0, 1].filter((i) => m.tensors.has(n.input[i]) && !m.tensors.has(n.input[1 - i]));
    else continue;
    if (!params.length || params.some((i) => m.tensors.get(n.input[i])?.params !== inv.length || m.tensors.get(n.input[i])?.dataType !== onnx.TensorProto.DataType.FLOAT)) continue;
    const inputs = [...n.input];
    for (const i of params) {
      const t = m.tensors.get(n.input[i])!;
      const values = Float32Array.from(readF32(t), (v, c) => v * inv[c]);
      // a γ another node also reads keeps its name for that node
      const name = initUses(t.name) === 1 ? t.name : `${t.name}_awq_${n.name || out}`;
      if (name === t.name) plan.replacedNames.add(name);
      plan.initializers.push(onnx.TensorProto.create({ name, dims: t.dims, dataType: t.dataType, rawData: new Uint8Array(values.buffer) }) as unknown as TensorProto);
      inputs[i] = name;
    }
    plan.replaced.set(n, onnx.NodeProto.create({ opType: n.opType, domain: n.domain, name: n.name, input: inputs, output: n.output, attribute: n.attribute }) as unknown as NodeProto);
    for (const r of linear) plan.folded.add(r);
  }
  return plan;
}
