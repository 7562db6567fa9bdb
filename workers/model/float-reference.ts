/**
 * The float reference of a model as it was published: every linear weight as a plain f32
 * initializer read by MatMul / Gemm, which is the one form the compression methods start from.
 * A published model keeps its weights many ways; each is undone exactly (dequantization is the
 * same arithmetic the runtime does, so the reference computes what the published model computes,
 * up to the order of float additions):
 *
 *   DequantizeLinear(int8 | uint8 const, scale[, zero])   → f32 const   (per tensor or per axis)
 *   Cast(fp16 | bf16 const → float)                       → f32 const
 *   Transpose(f32 const, perm [1, 0])                     → f32 const, transposed
 *   MatMulNBits(A, B, scales[, zero_points][, g_idx][, bias]) → MatMul(A, W f32) [→ Add bias]
 *   GatherBlockQuantized(data, indices, scales[, zero_points]) → Gather(W f32, indices)
 *   onnxruntime's quantize_dynamic form (int8 dynamic):
 *     DynamicQuantizeLinear(x) → MatMulInteger(x_q, W_q const, x_zp, W_zp const) → Cast(float)
 *       → Mul(·, Mul(x_scale, W_scale const))                     → MatMul(x, W f32)
 *     with W = (W_q − W_zp) · W_scale, per tensor or per output column; the activation's run-time
 *     8-bit quantization is a part of the published model the reference does not have
 *   DynamicQuantizeMatMul(A, B const, b_scale, b_zp[, bias])  → MatMul(A, W f32) [→ Add bias]
 *   a graph computing in fp16 or bf16 (half weights read directly, half activations) → the same graph in f32
 *
 * The published bytes stay what the baseline evaluates; what was undone is listed so the UI can
 * say the baseline is itself compressed and how.
 */
import onnxProto from 'onnx-proto';
import type { PublishedForm, PublishedWeight } from '../api';
import { labError } from '../errors';
import { halfToF32Bits } from '../compression/fp16/reference';
import { indexModel, onnx, serializeGraph, toNum, type ModelProto, type NodeProto, type ParsedModel, type TensorProto } from './onnx-graph';

const DT = onnx.TensorProto.DataType;
const MS = 'com.microsoft';

interface Attr {
  name: string;
  i?: unknown;
  f?: number;
  ints?: unknown[];
  t?: TensorProto | null;
}
const attrsOf = (n: NodeProto) => n.attribute as unknown as Attr[];
function intAttr(n: NodeProto, name: string, fallback: number): number {
  const a = attrsOf(n).find((x) => x.name === name);
  return a && a.i !== undefined && a.i !== null ? toNum(a.i) : fallback;
}

function f32Tensor(name: string, dims: number[], values: Float32Array): TensorProto {
  return onnx.TensorProto.create({ name, dims, dataType: DT.FLOAT, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) }) as unknown as TensorProto;
}

function makeNode(opType: string, input: string[], output: string[], name: string, attribute: unknown[] = []): NodeProto {
  return onnx.NodeProto.create({ opType, input, output, name, attribute: attribute as onnxProto.onnx.IAttributeProto[], domain: '' }) as unknown as NodeProto;
}

const count = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
/** bytes per value of the types constantValues reads */
const ELEMENT_BYTES: Record<number, number> = { [DT.FLOAT]: 4, [DT.FLOAT16]: 2, [DT.BFLOAT16]: 2, [DT.INT8]: 1, [DT.UINT8]: 1, [DT.INT32]: 4 };

/** A half's value, infinities and NaN included. */
export function halfToFloat(h: number): number {
  if (((h >>> 10) & 0x1f) === 0x1f) return (h & 0x3ff ? NaN : Infinity) * (h & 0x8000 ? -1 : 1);
  F32_VIEW[0] = halfToF32Bits(h);
  return F32_VIEW_F[0];
}
const F32_VIEW = new Uint32Array(1);
const F32_VIEW_F = new Float32Array(F32_VIEW.buffer);

/** A constant's values as f32, whatever its stored type (raw_data or the typed fields). */
export function constantValues(t: TensorProto): Float32Array {
  const dims = t.dims.map(toNum);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw labError('NotOnnx', `constant ${t.name} declares dims [${dims.join(', ')}]; expected non-negative integers`);
  const n = count(dims);
  if (n > 2 ** 31) throw labError('NotOnnx', `constant ${t.name} declares ${n} values, more than a tab can hold`);
  const raw = t.rawData;
  const width = ELEMENT_BYTES[t.dataType];
  if (raw && raw.length > 0 && width && raw.length !== n * width) {
    throw labError('NotOnnx', `constant ${t.name} has ${raw.length} raw bytes for ${n} values of ${width} bytes`);
  }
  const typed = t as unknown as { int32Data?: number[]; floatData?: number[]; int64Data?: unknown[] };
  const out = new Float32Array(n);
  const hasRaw = raw && raw.length > 0;
  const bytes = hasRaw ? new Uint8Array(raw.length) : undefined;
  if (bytes) bytes.set(raw); // aligned copy
  switch (t.dataType) {
    case DT.FLOAT:
      if (bytes) out.set(new Float32Array(bytes.buffer, 0, n));
      else out.set(typed.floatData ?? []);
      break;
    case DT.FLOAT16:
    case DT.BFLOAT16: {
      const halves = bytes ? new Uint16Array(bytes.buffer, 0, n) : Uint16Array.from(typed.int32Data ?? []);
      if (t.dataType === DT.FLOAT16) for (let i = 0; i < n; i++) out[i] = halfToFloat(halves[i]);
      else {
        const u = new Uint32Array(out.buffer);
        for (let i = 0; i < n; i++) u[i] = halves[i] << 16;
      }
      break;
    }
    case DT.INT8:
      if (bytes) out.set(new Int8Array(bytes.buffer, 0, n));
      else out.set(typed.int32Data ?? []);
      break;
    case DT.UINT8:
      if (bytes) out.set(bytes.subarray(0, n));
      else out.set(typed.int32Data ?? []);
      break;
    case DT.INT32:
      if (bytes) out.set(new Int32Array(bytes.buffer, 0, n));
      else out.set(typed.int32Data ?? []);
      break;
    default:
      throw labError('NotOnnx', `constant ${t.name} has data type ${t.dataType}, which the float reference cannot read`);
  }
  if (!hasRaw && n > 0 && out.length !== n) throw labError('NotOnnx', `constant ${t.name}: no data for ${n} values`);
  return out;
}

/** The bytes of a uint8 constant. */
function uint8Values(t: TensorProto): Uint8Array {
  if (t.dataType !== DT.UINT8) throw labError('NotOnnx', `${t.name}: expected uint8 packed codes, got data type ${t.dataType}`);
  if (t.rawData?.length) return t.rawData;
  return Uint8Array.from((t as unknown as { int32Data?: number[] }).int32Data ?? []);
}

/**
 * Dequantizes a (rows, cols) block-quantized matrix whose blocks run along each row:
 * w[r][c] = (q − zp) · scale[r][c / block], q and packed zero points `bits` wide, low bits first.
 */
function dequantBlocks(codes: Uint8Array, rows: number, cols: number, rowBytes: number, bits: number, block: number, scales: Float32Array, zp: Uint8Array | Float32Array | undefined): Float32Array {
  const blocks = Math.ceil(cols / block);
  const mask = (1 << bits) - 1;
  const zpRowBytes = Math.ceil((blocks * bits) / 8);
  const mid = 1 << (bits - 1);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < blocks; b++) {
      const scale = scales[r * blocks + b];
      let z: number;
      if (!zp) z = mid;
      else if (zp instanceof Float32Array) z = zp[r * blocks + b];
      else {
        const bit = b * bits;
        z = (zp[r * zpRowBytes + (bit >>> 3)] >>> (bit & 7)) & mask;
      }
      const end = Math.min(cols, (b + 1) * block);
      for (let c = b * block; c < end; c++) {
        const bit = c * bits;
        const q = (codes[r * rowBytes + (bit >>> 3)] >>> (bit & 7)) & mask;
        out[r * cols + c] = (q - z) * scale;
      }
    }
  }
  return out;
}

function transpose(v: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = v[r * cols + c];
  return out;
}

/**
 * The half type the graph computes in (FLOAT16 or BFLOAT16), or undefined: a half constant read by
 * something other than a Cast to float, or a half graph output.
 */
function halfComputeType(g: onnxProto.onnx.IGraphProto, inits: Map<string, TensorProto>): number | undefined {
  for (const type of [DT.FLOAT16, DT.BFLOAT16]) {
    const halfConsts = new Set([...inits.values()].filter((t) => t.dataType === type).map((t) => t.name));
    for (const n of g.node as unknown as NodeProto[]) {
      if (n.opType === 'Cast' && halfConsts.has(n.input[0]) && intAttr(n, 'to', 0) === DT.FLOAT) continue;
      if (n.input.some((i) => halfConsts.has(i))) return type;
    }
    if ((g.output ?? []).some((o) => o.type?.tensorType?.elemType === type)) return type;
  }
  return undefined;
}

/** A half type everywhere → f32: constants, casts to it, Constant / ConstantOfShape values, declared types. */
function widenHalfGraph(g: onnxProto.onnx.IGraphProto, type: number, weights: PublishedWeight[]): void {
  const format = type === DT.FLOAT16 ? 'fp16' : 'bf16';
  g.initializer = (g.initializer as unknown as TensorProto[]).map((t) => {
    if (t.dataType !== type) return t;
    const dims = t.dims.map(toNum);
    if (dims.length === 2) weights.push({ name: t.name, format, bits: 16, params: count(dims) });
    return f32Tensor(t.name, dims, constantValues(t));
  }) as unknown as onnxProto.onnx.ITensorProto[];
  for (const n of g.node as unknown as NodeProto[]) {
    for (const a of attrsOf(n)) {
      if (n.opType === 'Cast' && a.name === 'to' && toNum(a.i) === type) a.i = DT.FLOAT;
      if (a.t && a.t.dataType === type) a.t = f32Tensor(a.t.name, a.t.dims.map(toNum), constantValues(a.t));
    }
  }
  for (const list of [g.input, g.output, g.valueInfo]) {
    for (const v of list ?? []) if (v.type?.tensorType?.elemType === type) v.type.tensorType.elemType = DT.FLOAT;
  }
}

/** The graph's nodes and declared types copied (widenHalfGraph edits them in place), then widened. */
function widenedCopy(src: onnxProto.onnx.IGraphProto, type: number, weights: PublishedWeight[]): onnxProto.onnx.IGraphProto {
  const g = onnx.GraphProto.create({ ...src });
  g.node = (g.node ?? []).map((n) => onnx.NodeProto.fromObject(onnx.NodeProto.toObject(n as onnxProto.onnx.NodeProto)));
  g.input = (g.input ?? []).map((v) => onnx.ValueInfoProto.fromObject(onnx.ValueInfoProto.toObject(v as onnxProto.onnx.ValueInfoProto)));
  g.output = (g.output ?? []).map((v) => onnx.ValueInfoProto.fromObject(onnx.ValueInfoProto.toObject(v as onnxProto.onnx.ValueInfoProto)));
  g.valueInfo = (g.valueInfo ?? []).map((v) => onnx.ValueInfoProto.fromObject(onnx.ValueInfoProto.toObject(v as onnxProto.onnx.ValueInfoProto)));
  widenHalfGraph(g, type, weights);
  return g;
}

/** Per-column (length `cols`) or per-tensor (length 1) values, dequantizing a (rows, cols) int8/uint8 matrix. */
function dequantColumns(q: Float32Array, cols: number, scale: Float32Array, zero: Float32Array | undefined): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) {
    const c = i % cols;
    const s = scale.length === 1 ? scale[0] : scale[c];
    const z = !zero ? 0 : zero.length === 1 ? zero[0] : zero[c];
    out[i] = (q[i] - z) * s;
  }
  return out;
}

/**
 * onnxruntime's quantize_dynamic chains, by the MatMulInteger node: the float input x, the weight's
 * scale, and the nodes the whole chain is replaced by one MatMul with (Cast, the scale Mul, its
 * output). Chains of another shape are left alone (the caller refuses them by name).
 */
function dynamicChains(nodes: NodeProto[], inits: Map<string, TensorProto>) {
  const producer = new Map<string, NodeProto>();
  const readers = new Map<string, NodeProto[]>();
  for (const n of nodes) {
    for (const o of n.output) producer.set(o, n);
    for (const i of n.input) readers.set(i, [...(readers.get(i) ?? []), n]);
  }
  const only = (name: string) => (readers.get(name)?.length === 1 ? readers.get(name)![0] : undefined);
  const chains = new Map<NodeProto, { x: string; wScale: string; cast: NodeProto; mul: NodeProto }>();
  for (const m of nodes) {
    if (m.domain || m.opType !== 'MatMulInteger' || !inits.has(m.input[1])) continue;
    const dql = producer.get(m.input[0]);
    if (!dql || dql.opType !== 'DynamicQuantizeLinear' || dql.output[0] !== m.input[0] || (m.input[2] && m.input[2] !== dql.output[2])) continue;
    const cast = only(m.output[0]);
    if (!cast || cast.opType !== 'Cast' || intAttr(cast, 'to', 0) !== DT.FLOAT) continue;
    const mul = only(cast.output[0]);
    if (!mul || mul.opType !== 'Mul') continue;
    const scales = producer.get(mul.input[0] === cast.output[0] ? mul.input[1] : mul.input[0]);
    if (!scales || scales.opType !== 'Mul' || !scales.input.includes(dql.output[1])) continue;
    const wScale = scales.input[0] === dql.output[1] ? scales.input[1] : scales.input[0];
    if (!inits.has(wScale)) continue;
    chains.set(m, { x: dql.input[0], wScale, cast, mul });
  }
  return chains;
}

/** Drops nodes none of whose outputs is read (after a rewrite left them behind), last first. */
function withoutDeadNodes(nodes: NodeProto[], graphOutputs: Set<string>): NodeProto[] {
  const read = new Set(graphOutputs);
  const kept: NodeProto[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    if (!n.output.some((o) => o && read.has(o))) continue;
    kept.push(n);
    for (const x of n.input) read.add(x);
  }
  return kept.reverse();
}

/**
 * The float reference, or undefined when the model already is one. Throws a clear error for a
 * form it cannot undo (e.g. MatMulNBits with g_idx).
 */
export function floatReference(parsed: ParsedModel): { parsed: ParsedModel; published: PublishedForm } | undefined {
  const src = parsed.proto.graph!;
  const weights: PublishedWeight[] = [];
  const half = halfComputeType(src as unknown as onnxProto.onnx.IGraphProto, new Map((src.initializer as unknown as TensorProto[]).map((t) => [t.name, t])));
  const compute: PublishedForm['compute'] = half === DT.FLOAT16 ? 'fp16' : half === DT.BFLOAT16 ? 'bf16' : 'f32';
  const g = half ? widenedCopy(src as unknown as onnxProto.onnx.IGraphProto, half, weights) : onnx.GraphProto.create({ ...(src as unknown as onnxProto.onnx.IGraphProto) });
  const inits = new Map((g.initializer as unknown as TensorProto[]).map((t) => [t.name, t]));
  const added: TensorProto[] = [];
  const addConst = (t: TensorProto) => {
    added.push(t);
    inits.set(t.name, t);
  };
  const constOf = (name: string | undefined) => (name ? inits.get(name) : undefined);
  const nodes: NodeProto[] = [];
  // a fused op with an optional bias input becomes MatMul (+ Add) on its dequantized weight
  const pushMatMul = (a: string, wName: string, bias: string | undefined, output: string[], label: string) => {
    if (!bias) {
      nodes.push(makeNode('MatMul', [a, wName], output, label));
      return;
    }
    const mid = `${output[0]}_nobias`;
    nodes.push(makeNode('MatMul', [a, wName], [mid], label), makeNode('Add', [mid, bias], output, `${label}_bias`));
  };
  let changed = compute !== 'f32';
  const chains = dynamicChains(g.node as unknown as NodeProto[], inits);
  const chainParts = new Set([...chains.values()].flatMap((c) => [c.cast, c.mul]));
  for (const n of g.node as unknown as NodeProto[]) {
    const label = n.name || `${n.opType}(${n.output[0]})`;
    if (chainParts.has(n)) continue;
    if (!n.domain && n.opType === 'MatMulInteger') {
      const chain = chains.get(n);
      if (!chain) throw labError('NotOnnx', `${label}: MatMulInteger outside onnxruntime's quantize_dynamic form (DynamicQuantizeLinear → MatMulInteger with a constant B → Cast → Mul by the scales) is not supported yet`);
      const b = inits.get(n.input[1])!;
      const dims = b.dims.map(toNum);
      const zero = n.input[3] ? constantValues(inits.get(n.input[3])!) : undefined;
      const w = dequantColumns(constantValues(b), dims[1], constantValues(inits.get(chain.wScale)!), zero);
      const wName = `${n.input[1]}_dequantized`;
      addConst(f32Tensor(wName, dims, w));
      weights.push({ name: wName, format: 'MatMulInteger', bits: 8, params: w.length });
      nodes.push(makeNode('MatMul', [chain.x, wName], chain.mul.output, label));
      changed = true;
      continue;
    }
    if (n.domain === MS && n.opType === 'DynamicQuantizeMatMul') {
      const [a, bName, sName, zName, bias] = n.input;
      const b = constOf(bName), sc = constOf(sName);
      if (!b || !sc) throw labError('NotOnnx', `${label}: DynamicQuantizeMatMul whose weight is not constant`);
      const dims = b.dims.map(toNum);
      const zc = constOf(zName);
      const w = dequantColumns(constantValues(b), dims[1], constantValues(sc), zc ? constantValues(zc) : undefined);
      const wName = `${bName}_dequantized`;
      addConst(f32Tensor(wName, dims, w));
      weights.push({ name: wName, format: 'DynamicQuantizeMatMul', bits: 8, params: w.length });
      pushMatMul(a, wName, bias, n.output, label);
      changed = true;
      continue;
    }
    const inputsConst = n.input.filter(Boolean).every((i) => inits.has(i));
    if (!n.domain && n.opType === 'DequantizeLinear' && inputsConst) {
      const x = inits.get(n.input[0])!;
      const dims = x.dims.map(toNum);
      if (attrsOf(n).some((a) => a.name === 'block_size' && toNum(a.i) > 0)) throw labError('NotOnnx', `${label}: blocked DequantizeLinear is not supported yet`);
      const q = constantValues(x);
      const scale = constantValues(inits.get(n.input[1])!);
      const zero = n.input[2] ? constantValues(inits.get(n.input[2])!) : new Float32Array(scale.length);
      const axis = (intAttr(n, 'axis', 1) + dims.length) % dims.length;
      const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
      const along = dims[axis] ?? 1;
      const out = new Float32Array(q.length);
      for (let i = 0; i < q.length; i++) {
        const c = scale.length === 1 ? 0 : Math.floor(i / inner) % along;
        out[i] = (q[i] - zero[c]) * scale[c];
      }
      addConst(f32Tensor(n.output[0], dims, out));
      if (dims.length === 2) weights.push({ name: n.output[0], format: 'DequantizeLinear', bits: x.dataType === DT.INT8 || x.dataType === DT.UINT8 ? 8 : 32, params: out.length });
      changed = true;
      continue;
    }
    if (!n.domain && n.opType === 'Cast' && inputsConst && intAttr(n, 'to', 0) === DT.FLOAT) {
      const x = inits.get(n.input[0])!;
      const dims = x.dims.map(toNum);
      addConst(f32Tensor(n.output[0], dims, constantValues(x)));
      if (dims.length === 2 && (x.dataType === DT.FLOAT16 || x.dataType === DT.BFLOAT16)) {
        weights.push({ name: n.output[0], format: x.dataType === DT.FLOAT16 ? 'fp16' : 'bf16', bits: 16, params: count(dims) });
      }
      changed = true;
      continue;
    }
    if (!n.domain && n.opType === 'Transpose' && inputsConst) {
      const x = inits.get(n.input[0])!;
      const dims = x.dims.map(toNum);
      const perm = attrsOf(n).find((a) => a.name === 'perm')?.ints?.map(toNum) ?? [1, 0];
      if (dims.length === 2 && x.dataType === DT.FLOAT && perm[0] === 1 && perm[1] === 0) {
        addConst(f32Tensor(n.output[0], [dims[1], dims[0]], transpose(constantValues(x), dims[0], dims[1])));
        changed = true;
        continue;
      }
    }
    if (n.domain === MS && n.opType === 'MatMulNBits') {
      const [a, bName, sName, zName, gIdx, bias] = n.input;
      if (gIdx) throw labError('NotOnnx', `${label}: MatMulNBits with g_idx (act-order) is not supported yet`);
      const K = intAttr(n, 'K', 0), N = intAttr(n, 'N', 0), bits = intAttr(n, 'bits', 4), block = intAttr(n, 'block_size', 32);
      const b = constOf(bName), s = constOf(sName);
      if (!b || !s || !K || !N) throw labError('NotOnnx', `${label}: MatMulNBits whose weights are not constants`);
      const zc = constOf(zName);
      const zp = zc ? (zc.dataType === DT.UINT8 ? uint8Values(zc) : constantValues(zc)) : undefined;
      const rowBytes = Math.ceil(K / block) * ((block * bits) / 8);
      const w = dequantBlocks(uint8Values(b), N, K, rowBytes, bits, block, constantValues(s), zp);
      const wName = `${bName}_dequantized`;
      addConst(f32Tensor(wName, [K, N], transpose(w, N, K)));
      weights.push({ name: wName, format: 'MatMulNBits', bits, blockSize: block, params: K * N });
      pushMatMul(a, wName, bias, n.output, label);
      changed = true;
      continue;
    }
    if (n.domain === MS && n.opType === 'GatherBlockQuantized') {
      const [dName, indices, sName, zName] = n.input;
      const d = constOf(dName), s = constOf(sName);
      if (!d || !s) throw labError('NotOnnx', `${label}: GatherBlockQuantized whose table is not constant`);
      const bits = intAttr(n, 'bits', 4), block = intAttr(n, 'block_size', 128);
      if (intAttr(n, 'quantize_axis', 1) !== 1) throw labError('NotOnnx', `${label}: GatherBlockQuantized quantized along axis ${intAttr(n, 'quantize_axis', 1)} is not supported yet`);
      const dims = d.dims.map(toNum);
      const rows = dims[0], rowBytes = dims[1];
      const cols = d.dataType === DT.UINT8 ? (rowBytes * 8) / bits : rowBytes;
      const zc = constOf(zName);
      const zp = zc ? (zc.dataType === DT.UINT8 ? uint8Values(zc) : constantValues(zc)) : undefined;
      const table = dequantBlocks(uint8Values(d), rows, cols, rowBytes, bits, block, constantValues(s), zp);
      const wName = `${dName}_dequantized`;
      addConst(f32Tensor(wName, [rows, cols], table));
      weights.push({ name: wName, format: 'GatherBlockQuantized', bits, blockSize: block, params: rows * cols });
      nodes.push(makeNode('Gather', [wName, indices], n.output, label, [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: intAttr(n, 'gather_axis', 0) }]));
      changed = true;
      continue;
    }
    nodes.push(n);
  }
  if (!changed) return undefined;
  // constants nobody reads any more (the packed codes, the half copies) are dropped
  // and the activations' DynamicQuantizeLinear and scale products read by nothing any more
  const live = chains.size ? withoutDeadNodes(nodes, new Set((g.output ?? []).map((o) => o.name!))) : nodes;
  const read = new Set<string>();
  for (const n of live) for (const i of n.input) read.add(i);
  for (const o of g.output ?? []) read.add(o.name!);
  const initializer = [...(g.initializer as unknown as TensorProto[]).filter((t) => read.has(t.name) && !added.some((a) => a.name === t.name)), ...added.filter((t) => read.has(t.name))];
  g.node = live as unknown as onnxProto.onnx.INodeProto[];
  g.initializer = initializer as unknown as onnxProto.onnx.ITensorProto[];
  g.input = (g.input ?? []).filter((i) => !inits.has(i.name!) || read.has(i.name!));
  const proto = { ...(parsed.proto as unknown as onnxProto.onnx.IModelProto), graph: g } as unknown as ModelProto;
  return { parsed: indexModel(proto), published: { compute, weights } };
}

/**
 * The published model's bytes for evaluation: as published, except that half-precision logits
 * are cast to f32 at the end of the graph (exact: every half is an f32), so the evaluation reads
 * one output type whatever the model; and a graph computing in bf16 is converted to f32 as it
 * loads (onnxruntime has no CPU / WASM / WebGPU kernels for bf16 MatMul, Einsum, Softmax…: it
 * refuses such a graph), which computes what bf16 weights + Cast to float would.
 */
export function withFloatLogits(parsed: ParsedModel, original: Uint8Array): Uint8Array {
  const g = parsed.proto.graph! as unknown as onnxProto.onnx.IGraphProto;
  const inits = new Map((g.initializer as unknown as TensorProto[]).map((t) => [t.name, t]));
  if (halfComputeType(g, inits) === DT.BFLOAT16) {
    const w = widenedCopy(g, DT.BFLOAT16, []);
    return serializeGraph(parsed, { node: w.node, initializer: w.initializer, input: w.input, output: w.output, valueInfo: w.valueInfo });
  }
  const out = (g.output ?? []).find((o) => o.name === 'logits');
  if (out?.type?.tensorType?.elemType !== DT.FLOAT16) return parsed.hadExternalData ? serializeGraph(parsed, {}) : original;
  const half = 'logits_float16';
  const node = (g.node ?? []).map((n) => (n.output?.includes('logits') ? { ...n, output: n.output.map((o) => (o === 'logits' ? half : o)) } : n));
  node.push(makeNode('Cast', [half], ['logits'], 'logits_to_float', [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: DT.FLOAT }]) as unknown as onnxProto.onnx.INodeProto);
  const output = (g.output ?? []).map((o) =>
    o.name === 'logits' ? onnx.ValueInfoProto.fromObject({ ...onnx.ValueInfoProto.toObject(o as onnxProto.onnx.ValueInfoProto), type: { tensorType: { ...onnx.TypeProto.Tensor.toObject(o.type!.tensorType as onnxProto.onnx.TypeProto.Tensor), elemType: DT.FLOAT } } }) : o,
  );
  return serializeGraph(parsed, { node, output });
}
