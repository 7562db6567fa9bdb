/**
 * Writes a variant as the packed ONNX model onnxruntime runs as it is: each compressed linear
 * weight in its real storage form, the graph rewired to read it. One form per weight:
 *
 *   nbits     MatMulNBits replaces each MatMul/Gemm reading the weight (Gemm's C becomes an Add);
 *             any other reader (a tied embedding's Gather) gets GatherBlockQuantized over the same
 *             bytes (B reshaped), so the weight is stored once, as the tied f32 weight was.
 *   qdq-int8  int8 codes + per-channel scale (no zero point); DequantizeLinear(axis = output channel) produces the
 *             weight under its old name, so every reader is unchanged.
 *   fp16      half initializer; Cast(to = float) produces the weight under its old name.
 *   bnb4      MatMulBnb4 (NF4) replaces each MatMul/Gemm reading the weight; no other reader.
 *   f32       dense float values (pruning: zeros save gzip bytes, not compute).
 *
 * Everything not named in `forms` is shared with the source proto, not copied. Past 128 MiB of
 * weights the model is a small .onnx tagged with one external data file (external-weights.ts).
 */
import onnxProto from 'onnx-proto';
import type { LinearWeight } from '../api';
import { onnx, serializeGraph, toNum, type NodeProto, type ParsedModel, type TensorProto } from '../model/onnx-graph';
import type { Bnb4Weight } from './matmul-bnb4';
import { planInputScales } from './input-scale';
import type { NBitsWeight } from './matmul-nbits';
import { encodeWithRoom } from './room';
import type { WeightArena } from './weight-arena';
import { EXTERNAL_DATA_PATH, EXTERNAL_MIN_TOTAL_BYTES, externalWeights } from './external-weights';
import { withExternalData } from '../eval/external-data';

export type PackedForm =
  /** dense f32; `simulated` says why a quantized format is stored this way (no op runs it) */
  | { kind: 'f32'; values: Float32Array; simulated?: string }
  /** inputScale (AWQ): s per input channel; the weight holds W · diag(s), its readers get x / s (input-scale.ts) */
  | { kind: 'nbits'; weight: NBitsWeight; inputScale?: Float32Array }
  /** codes in the tensor's stored order; scales per output channel; axis = the output channel's axis */
  | { kind: 'qdq-int8'; codes: Int8Array; scales: Float32Array; axis: 0 | 1 }
  /** IEEE half bit patterns in the tensor's stored order */
  | { kind: 'fp16'; halves: Uint16Array }
  | { kind: 'bnb4'; weight: Bnb4Weight };

export type PackedKind = PackedForm['kind'];

const DT = onnx.TensorProto.DataType;
const MS_DOMAIN = 'com.microsoft';

function tensor(name: string, dims: number[], dataType: number, bytes: ArrayBufferView): TensorProto {
  return onnx.TensorProto.create({
    name,
    dims,
    dataType,
    rawData: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  }) as unknown as TensorProto;
}

function intAttr(name: string, i: number) {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i };
}

function node(opType: string, inputs: string[], outputs: string[], name: string, attrs: ReturnType<typeof intAttr>[] = [], domain = ''): NodeProto {
  return onnx.NodeProto.create({ opType, input: inputs, output: outputs, name, attribute: attrs, domain }) as unknown as NodeProto;
}

function attr(n: NodeProto, name: string, fallback: number): number {
  const a = n.attribute.find((x) => x.name === name) as { i?: unknown; f?: number } | undefined;
  if (!a) return fallback;
  return a.f !== undefined && a.f !== 0 ? a.f : toNum(a.i);
}

/** The packed model's bytes. Throws when a reader of a packed weight cannot be rewired. */
export function writePackedModel(
  m: ParsedModel,
  linear: readonly LinearWeight[],
  forms: ReadonlyMap<string, PackedForm>,
  /** weight bytes from which they go to an external data file */
  externalMinBytes = EXTERNAL_MIN_TOTAL_BYTES,
  /** where the forms' arrays were collected (weight-arena.ts): it becomes the external data file */
  arena?: WeightArena,
): Uint8Array {
  const g = m.proto.graph!;
  const byName = new Map(linear.map((w) => [w.name, w]));
  const newInits: TensorProto[] = [];
  const preNodes: NodeProto[] = []; // nodes whose inputs are all initializers: they go first
  const removed = new Set<string>();
  const nbits = new Map<string, NBitsIds>();
  const inverse = new Map<string, Float32Array>(); // AWQ: fround(1/s) per input channel
  const bnb4 = new Map<string, { w: Bnb4Weight; b: string; absmax: string }>();
  let usesMs = false;

  for (const [name, form] of forms) {
    const info = m.tensors.get(name);
    const lw = byName.get(name);
    if (!info || !lw) throw new Error(`packed form for ${name}, which is not a linear weight of this model`);
    const dims = info.dims;
    switch (form.kind) {
      case 'f32':
        if (form.values.length !== info.params) throw new Error(`${name}: ${form.values.length} values for ${info.params} weights`);
        newInits.push(tensor(name, dims, DT.FLOAT, form.values));
        removed.add(name);
        break;
      case 'fp16':
        newInits.push(tensor(`${name}_fp16`, dims, DT.FLOAT16, form.halves));
        preNodes.push(node('Cast', [`${name}_fp16`], [name], `${name}_cast`, [intAttr('to', DT.FLOAT)]));
        removed.add(name);
        break;
      case 'qdq-int8':
        newInits.push(tensor(`${name}_int8`, dims, DT.INT8, form.codes));
        newInits.push(tensor(`${name}_scale`, [form.scales.length], DT.FLOAT, form.scales));
        // symmetric codes: no zero point (ONNX's default is 0), so the file holds 8 bits a weight + one f32 scale a channel, as int8-channel's meta counts
        preNodes.push(node('DequantizeLinear', [`${name}_int8`, `${name}_scale`], [name], `${name}_dq`, [intAttr('axis', form.axis)]));
        removed.add(name);
        break;
      case 'bnb4': {
        const w = form.weight;
        const ids = { w, b: `${name}_nf4`, absmax: `${name}_absmax` };
        newInits.push(tensor(ids.b, [w.b.length], DT.UINT8, w.b));
        newInits.push(tensor(ids.absmax, [w.absmax.length], DT.FLOAT, w.absmax));
        bnb4.set(name, ids);
        removed.add(name);
        usesMs = true;
        break;
      }
      case 'nbits': {
        const w = form.weight;
        const ids: NBitsIds = { w, b: `${name}_Q${w.bits}`, scales: `${name}_scales`, zp: `${name}_zp` };
        if (form.inputScale) {
          const inv = Float32Array.from(form.inputScale, (v) => 1 / v);
          ids.inv = `${name}_awq_inv`; // written below if some reader gets a Mul
          inverse.set(name, inv);
        }
        newInits.push(tensor(ids.b, [w.n, w.blocks, (w.blockSize * w.bits) / 8], DT.UINT8, w.b));
        newInits.push(tensor(ids.scales, [w.n, w.blocks], DT.FLOAT, w.scales));
        newInits.push(tensor(ids.zp, [w.zeroPoints.length], DT.UINT8, w.zeroPoints));
        nbits.set(name, ids);
        removed.add(name);
        usesMs = true;
        break;
      }
    }
  }

  // AWQ's 1/s: into the norm before the layer where it can go, else a Mul (input-scale.ts)
  const scaling = planInputScales(m, inverse);
  newInits.push(...scaling.initializers);
  for (const name of scaling.replacedNames) removed.add(name);
  const nodes: NodeProto[] = [];
  for (const original of g.node) {
    const n = scaling.replaced.get(original) ?? original;
    const nf4At = n.input.findIndex((i) => bnb4.has(i));
    if (nf4At >= 0) {
      if (!((n.opType === 'MatMul' || n.opType === 'Gemm') && nf4At === 1 && !n.domain)) {
        throw new Error(`${n.name || n.output[0]} (${n.opType}) reads the NF4 weight ${n.input[nf4At]}; only MatMul/Gemm (B) can read MatMulBnb4 weights`);
      }
      nodes.push(...linearToBnb4(n, bnb4.get(n.input[1])!, n.name || n.output[0]));
      continue;
    }
    const packed = n.input.map((i) => nbits.get(i));
    const at = packed.findIndex((p) => p);
    if (at < 0) {
      nodes.push(n);
      continue;
    }
    const p = packed[at]!;
    const label = n.name || n.output[0];
    if ((n.opType === 'MatMul' || n.opType === 'Gemm') && at === 1 && !n.domain) {
      const inv = scaling.folded.has(original) ? undefined : p.inv;
      if (inv && !newInits.some((t) => t.name === inv)) newInits.push(tensor(inv, [p.w.k], DT.FLOAT, inverse.get(n.input[1])!));
      nodes.push(...linearToNBits(n, p, label, inv));
    } else if (n.opType === 'Gather' && at === 0 && !n.domain && p.w.k % p.w.blockSize === 0 && !p.inv) {
      // the same bytes seen as (N, K·bits/8): the layout GatherBlockQuantized reads for uint8 data
      // GatherBlockQuantized wants zero points of the data's rank: (N, ceil(blocks · bits / 8))
      const shapeName = `${p.b}_rows_shape`;
      const zpShape = `${p.zp}_rows_shape`;
      if (!newInits.some((t) => t.name === shapeName)) {
        newInits.push(tensor(shapeName, [2], DT.INT64, BigInt64Array.from([BigInt(p.w.n), BigInt((p.w.k * p.w.bits) / 8)])));
        newInits.push(tensor(zpShape, [2], DT.INT64, BigInt64Array.from([BigInt(p.w.n), BigInt(p.w.zeroPoints.length / p.w.n)])));
        preNodes.push(node('Reshape', [p.b, shapeName], [`${p.b}_rows`], `${p.b}_rows`));
        preNodes.push(node('Reshape', [p.zp, zpShape], [`${p.zp}_rows`], `${p.zp}_rows`));
      }
      const axis = attr(n, 'axis', 0);
      if (axis !== 0) throw new Error(`${label}: Gather on axis ${axis} of a packed weight is not supported`);
      nodes.push(node('GatherBlockQuantized', [`${p.b}_rows`, n.input[1], p.scales, `${p.zp}_rows`], n.output, `${label}_gbq`,
        [intAttr('gather_axis', 0), intAttr('quantize_axis', 1), intAttr('block_size', p.w.blockSize), intAttr('bits', p.w.bits)], MS_DOMAIN));
    } else {
      throw new Error(`${label} (${n.opType}) reads the packed weight ${n.input[at]} as input ${at}; only MatMul/Gemm (B) and Gather (data) can be rewired`);
    }
  }

  const kept = [...g.initializer.filter((t) => !removed.has(t.name)), ...newInits];
  // a big model's weights go to one external data file (external-weights.ts): its session then
  // copies each tensor once into onnxruntime's heap instead of the whole model twice
  const external = externalWeights(kept, externalMinBytes, arena);
  const initializer = external?.initializer ?? kept;
  const input = (g.input as { name: string }[]).filter((i) => !removed.has(i.name));
  const opsetImport = [...((m.proto as unknown as { opsetImport: { domain: string; version: unknown }[] }).opsetImport ?? [])];
  if (usesMs && !opsetImport.some((o) => o.domain === MS_DOMAIN)) opsetImport.push({ domain: MS_DOMAIN, version: 1 });
  // with room after the bytes: the evaluation graph's scoring goes there, not into a copy (room.ts)
  const bytes = serializeGraph(m, { node: [...preNodes, ...nodes], initializer, input } as Partial<onnxProto.onnx.IGraphProto>, { opsetImport }, (model) => encodeWithRoom(model));
  // unchanged tensors of a dropped model stay slices of its file (external-weights.ts), each a data file of its own
  return external ? withExternalData(bytes, [{ path: EXTERNAL_DATA_PATH, data: external.data }, ...external.sources]) : bytes;
}

interface NBitsIds {
  w: NBitsWeight;
  b: string;
  scales: string;
  zp: string;
  /** AWQ: the initializer of 1/s */
  inv?: string;
}

/** MatMul(A, W) or Gemm(A, W[, C]) → [Mul(A, 1/s) →] MatMulNBits(A, B, scales, zp) [→ Add C]. */
function linearToNBits(n: NodeProto, p: NBitsIds, label: string, inv?: string): NodeProto[] {
  const attrs = [intAttr('K', p.w.k), intAttr('N', p.w.n), intAttr('bits', p.w.bits), intAttr('block_size', p.w.blockSize)];
  const scaled = inv ? [node('Mul', [n.input[0], inv], [`${label}_awq_in`], `${label}_awq`)] : [];
  const inputs = [inv ? `${label}_awq_in` : n.input[0], p.b, p.scales, p.zp];
  if (n.opType === 'MatMul') return [...scaled, node('MatMulNBits', inputs, n.output, `${label}_nbits`, attrs, MS_DOMAIN)];
  if (attr(n, 'transA', 0) !== 0 || attr(n, 'alpha', 1) !== 1 || (n.input[2] && attr(n, 'beta', 1) !== 1)) {
    throw new Error(`${label}: Gemm with transA, alpha or beta other than the defaults cannot become MatMulNBits`);
  }
  if (!n.input[2]) return [...scaled, node('MatMulNBits', inputs, n.output, `${label}_nbits`, attrs, MS_DOMAIN)];
  const mid = `${n.output[0]}_nobias`;
  return [
    ...scaled,
    node('MatMulNBits', inputs, [mid], `${label}_nbits`, attrs, MS_DOMAIN),
    node('Add', [mid, n.input[2]], n.output, `${label}_bias`),
  ];
}

/** MatMul(A, W) or Gemm(A, W[, C]) → MatMulBnb4(A, B, absmax) [→ Add C]. */
function linearToBnb4(n: NodeProto, p: { w: Bnb4Weight; b: string; absmax: string }, label: string): NodeProto[] {
  const attrs = [intAttr('K', p.w.k), intAttr('N', p.w.n), intAttr('block_size', p.w.blockSize), intAttr('quant_type', p.w.quantType)];
  const inputs = [n.input[0], p.b, p.absmax];
  if (n.opType === 'Gemm' && (attr(n, 'transA', 0) !== 0 || attr(n, 'alpha', 1) !== 1 || (n.input[2] && attr(n, 'beta', 1) !== 1))) {
    throw new Error(`${label}: Gemm with transA, alpha or beta other than the defaults cannot become MatMulBnb4`);
  }
  if (n.opType === 'MatMul' || !n.input[2]) return [node('MatMulBnb4', inputs, n.output, `${label}_bnb4`, attrs, MS_DOMAIN)];
  const mid = `${n.output[0]}_nobias`;
  return [node('MatMulBnb4', inputs, [mid], `${label}_bnb4`, attrs, MS_DOMAIN), node('Add', [mid, n.input[2]], n.output, `${label}_bias`)];
}
