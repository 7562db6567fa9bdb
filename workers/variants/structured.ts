/**
 * Structured pruning that rewrites the graph (compression/structured-prune/meta.ts says what is
 * removed and how neurons are scored). Three steps:
 *
 *   findMlps        the MLPs of the graph: a "down" MatMul/Gemm whose input A comes, through
 *                   element-wise ops only (Add, Mul, Tanh, Sigmoid, Erf, Gelu, …), from one or more
 *                   "up" MatMul/Gemm with N outputs, N = the down layer's input size. Constants
 *                   met on the way are scalars or N long (a bias): those are sliced too. Every
 *                   tensor in between must be read only inside the MLP, and no weight or bias may be
 *                   read elsewhere; an MLP that breaks a rule is left whole (`skipped` says why).
 *                   GPT-2 (c_fc → gelu_new → c_proj) and SwiGLU (gate, up → silu·mul → down) fit.
 *   planStructured  per MLP, the neuron norms (the WGSL kernel on WebGPU, its TS twin on the CPU) and
 *                   the neurons kept; per linear weight, the NeuronPlan the per-tensor step reads.
 *   writeStructuredModel  the model with only the kept neurons: the up columns, biases and down rows
 *                   of the removed neurons are gone from the initializers (smaller MatMul weights),
 *                   value_info of the tensors in between dropped (their last dim changed), every
 *                   other node, initializer and output as it was.
 *
 * Attention heads (unit 'heads') are planned and rewritten by attention-heads.ts; this file
 * dispatches to it and writes both kinds of rewrite through writeStructuredModel.
 */
import type onnxProto from 'onnx-proto';
import type { KernelDevice, LinearWeight } from '../api';
import { getKernelGpu } from '../compression/gpu-device';
import { unitSumSquaresBatch, unitSumSquaresBatchGpu, type NormRequest } from '../compression/structured-prune/gpu';
import type { NeuronPlan, StructuredPruneOptions } from '../compression/structured-prune/meta';
import { chooseNeurons, neuronView } from '../compression/structured-prune/reference';
import { labError } from '../errors';
import { headsFormat, planHeads, rewriteHeads, withHeadDim, type HeadPlan } from './attention-heads';
import { blockOf } from '../model/blocks';
import { onnx, readF32, serializeGraph, toNum, type NodeProto, type ParsedModel, type TensorProto } from '../model/onnx-graph';

/** Element-wise ops an MLP's hidden activations may pass through (one output each, shapes broadcast). */
const ELEMENTWISE = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Tanh', 'Sigmoid', 'Erf', 'Relu', 'LeakyRelu', 'Elu', 'Selu', 'Gelu', 'HardSigmoid',
  'HardSwish', 'Softplus', 'Neg', 'Abs', 'Exp', 'Sqrt', 'Reciprocal', 'Identity', 'Clip', 'Mish',
]);
const MS_ELEMENTWISE = new Set(['Gelu', 'FastGelu', 'BiasGelu', 'QuickGelu']);
const DT_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };

/** A constant an MLP's hidden activations meet: an initializer, or a Constant node's `value`. */
export interface HiddenConst {
  name: string;
  /** index of the Constant node in graph.node, when it is one */
  node?: number;
  /** N long (sliced with the neurons) or a scalar (kept) */
  sliced: boolean;
}

export interface Mlp {
  /** "block 3" when the names say so, else the down weight's name */
  label: string;
  /** hidden neurons */
  n: number;
  ups: LinearWeight[];
  down: LinearWeight;
  /** the N-long constants in between, in graph order (biases) */
  biases: HiddenConst[];
  /** the tensors between the up layers and the down layer (their last dim is N) */
  hidden: Set<string>;
}

export interface MlpSearch {
  mlps: Mlp[];
  /** down layers that looked like an MLP's but were left whole, and why */
  skipped: string[];
}

export interface GraphIndex {
  producer: Map<string, number>;
  consumers: Map<string, number[]>;
  inits: Map<string, TensorProto>;
  constNodes: Map<string, number>;
  outputs: Set<string>;
}

export function indexGraph(m: ParsedModel): GraphIndex {
  const g = m.proto.graph!;
  const producer = new Map<string, number>();
  const consumers = new Map<string, number[]>();
  const constNodes = new Map<string, number>();
  g.node.forEach((n, k) => {
    for (const o of n.output) producer.set(o, k);
    for (const i of n.input) if (i) consumers.set(i, [...(consumers.get(i) ?? []), k]);
    if (n.opType === 'Constant' && !n.domain) constNodes.set(n.output[0], k);
  });
  return { producer, consumers, inits: new Map(g.initializer.map((t) => [t.name, t])), constNodes, outputs: new Set(g.output.map((o) => o.name)) };
}

export const attrT = (n: NodeProto): TensorProto | undefined => (n.attribute as { name: string; t?: TensorProto }[]).find((a) => a.name === 'value')?.t ?? undefined;

/** dims of a constant, or undefined when `name` is not one. */
export function constDims(ix: GraphIndex, g: { node: NodeProto[] }, name: string): number[] | undefined {
  const init = ix.inits.get(name);
  if (init) return init.dims.map(toNum);
  const k = ix.constNodes.get(name);
  if (k === undefined) return undefined;
  const t = attrT(g.node[k]);
  return t ? t.dims.map(toNum) : [Number.NaN]; // value_float(s) etc.: a constant we cannot slice
}

/** The MLP whose down layer is `down`, or why there is none. */
function mlpAt(m: ParsedModel, ix: GraphIndex, byName: Map<string, LinearWeight>, down: LinearWeight, downNode: number): Mlp | string {
  const g = m.proto.graph!;
  const n = neuronView(down, 'in').count;
  const hidden = new Set<string>();
  const hiddenNodes = new Set<number>();
  const ups: LinearWeight[] = [];
  const biases: HiddenConst[] = [];
  const stack = [g.node[downNode].input[0]];
  while (stack.length) {
    const t = stack.pop()!;
    if (hidden.has(t)) continue;
    hidden.add(t);
    if (ix.outputs.has(t)) return `${t} is a graph output`;
    const k = ix.producer.get(t);
    if (k === undefined) return `${t} is a graph input`;
    const node = g.node[k];
    hiddenNodes.add(k);
    const w = (node.opType === 'MatMul' || node.opType === 'Gemm') && !node.domain ? byName.get(node.input[1]) : undefined;
    if (w) {
      if (neuronView(w, 'out').count !== n) return `${node.name || t}: ${neuronView(w, 'out').count} outputs feed ${n} inputs`;
      if (w.shared) return `${w.name} is also read by another node`;
      ups.push(w);
      if (node.opType === 'Gemm' && node.input[2]) {
        const dims = constDims(ix, g, node.input[2]);
        if (!dims || dims.reduce((a, b) => a * b, 1) !== n) return `${node.name || t}: Gemm bias ${node.input[2]} is not a constant of ${n}`;
        biases.push({ name: node.input[2], node: ix.constNodes.get(node.input[2]), sliced: true });
      }
      continue;
    }
    const known = node.domain === 'com.microsoft' ? MS_ELEMENTWISE.has(node.opType) : !node.domain && ELEMENTWISE.has(node.opType);
    if (!known || node.output.length !== 1) return `${node.name || t} (${node.opType}) is not element-wise`;
    for (const i of node.input) {
      if (!i) continue;
      const dims = constDims(ix, g, i);
      if (!dims) {
        stack.push(i);
        continue;
      }
      const size = dims.reduce((a, b) => a * b, 1);
      if (size === 1) biases.push({ name: i, node: ix.constNodes.get(i), sliced: false });
      else if (size === n && dims[dims.length - 1] === n) biases.push({ name: i, node: ix.constNodes.get(i), sliced: true });
      else return `${node.name || t}: constant ${i} of shape [${dims.join(', ')}] is neither a scalar nor ${n} long`;
    }
  }
  if (!ups.length) return 'no up layer';
  // what is sliced must be read only inside the MLP
  for (const t of hidden) {
    for (const c of ix.consumers.get(t) ?? []) if (c !== downNode && !hiddenNodes.has(c)) return `${t} is also read by ${g.node[c].name || g.node[c].opType}`;
  }
  const sliced = biases.filter((b) => b.sliced);
  for (const b of sliced) {
    for (const c of ix.consumers.get(b.name) ?? []) if (!hiddenNodes.has(c)) return `the constant ${b.name} is also read by ${g.node[c].name || g.node[c].opType}`;
  }
  const seen = new Set<string>();
  const uniqueSliced = sliced.filter((b) => !seen.has(b.name) && seen.add(b.name));
  const block = blockOf(down);
  return { label: block === undefined ? down.name : `block ${block}`, n, ups: ups.reverse(), down, biases: uniqueSliced.reverse(), hidden };
}

/** Every MLP of the graph (in graph order of the down layers), and the candidates left whole. */
export function findMlps(m: ParsedModel, linear: readonly LinearWeight[]): MlpSearch {
  const ix = indexGraph(m);
  const g = m.proto.graph!;
  const byName = new Map(linear.map((w) => [w.name, w]));
  const mlps: Mlp[] = [];
  const skipped: string[] = [];
  const taken = new Set<string>();
  g.node.forEach((node, k) => {
    if ((node.opType !== 'MatMul' && node.opType !== 'Gemm') || node.domain) return;
    const down = byName.get(node.input[1]);
    if (!down || down.shared) return;
    // only a down layer fed by another linear layer through element-wise ops is a candidate
    const a = ix.producer.get(node.input[0]);
    if (a === undefined) return;
    const r = mlpAt(m, ix, byName, down, k);
    if (typeof r === 'string') {
      if (!/not element-wise|graph input|no up layer/.test(r)) skipped.push(`${down.name}: ${r}`);
      return;
    }
    // a weight in two MLPs (one MLP's up is another's down) cannot be sliced twice
    if ([r.down, ...r.ups].some((w) => taken.has(w.name))) {
      skipped.push(`${down.name}: shares a weight with another MLP`);
      return;
    }
    for (const w of [r.down, ...r.ups]) taken.add(w.name);
    mlps.push(r);
  });
  return { mlps, skipped };
}

/** f32 values of a constant (initializer or Constant node). */
export function constValues(m: ParsedModel, ix: GraphIndex, c: HiddenConst): Float32Array {
  const t = c.node === undefined ? ix.inits.get(c.name)! : attrT(m.proto.graph!.node[c.node])!;
  const dims = t.dims.map(toNum);
  return readF32({ name: c.name, dataType: t.dataType, dims, params: dims.reduce((a, b) => a * b, 1), proto: t });
}

export interface StructuredPlan {
  /** MLP neurons (unit 'neurons'); no MLPs when heads are pruned */
  search: MlpSearch;
  /** attention heads (unit 'heads', attention-heads.ts) */
  heads?: HeadPlan;
  /** per MLP, 1 = neuron kept */
  keep: Uint8Array[];
  /** per linear weight in an MLP, what the per-tensor step removes */
  plans: Map<string, NeuronPlan>;
  /** where the neuron norms ran */
  device: KernelDevice;
}

/**
 * The neurons each MLP keeps. Neuron norms: ‖up[:, j]‖² per up layer (the kernel), b[j]² per
 * N-long constant, ‖down[j, :]‖² (the kernel), summed in that order (chooseNeurons).
 */
export async function planStructured(m: ParsedModel, linear: readonly LinearWeight[], options: StructuredPruneOptions, device: KernelDevice, blocks?: readonly number[]): Promise<StructuredPlan> {
  if (options.unit === 'heads') {
    const { heads, plans } = await planHeads(m, linear, options, device, blocks);
    return { search: { mlps: [], skipped: [] }, heads, keep: [], plans, device };
  }
  const search = findMlps(m, linear);
  // VariantSpec.blocks: only the MLPs of those blocks
  if (blocks) search.mlps = search.mlps.filter((mlp) => blocks.includes(blockOf(mlp.down) ?? -1));
  if (!search.mlps.length) {
    const why = search.skipped.length ? `; left whole: ${search.skipped.join('; ')}` : '';
    throw labError('BadOption', `structured-prune: no MLP found (up MatMul/Gemm → element-wise ops → down MatMul/Gemm)${why}`);
  }
  const ix = indexGraph(m);
  const gpu = device === 'webgpu' ? (await getKernelGpu()).device : undefined;
  // every MLP's up and down weights in one batch (few submits and map round trips on WebGPU, not one a weight)
  const request = (w: LinearWeight, axis: NeuronPlan['axis']): NormRequest => ({ data: () => readF32(m.tensors.get(w.name)!), units: [{ ...neuronView(w, axis), width: 1, offset: 0 }] });
  const requests = search.mlps.flatMap((mlp) => [...mlp.ups.map((up) => request(up, 'out')), request(mlp.down, 'in')]);
  const norms = (gpu ? await unitSumSquaresBatchGpu(gpu, requests) : unitSumSquaresBatch(requests)).map(([sums]) => sums);
  const keep: Uint8Array[] = [];
  const plans = new Map<string, NeuronPlan>();
  let at = 0;
  for (const mlp of search.mlps) {
    const parts: Float32Array[] = [];
    for (let u = 0; u < mlp.ups.length; u++) parts.push(norms[at++]);
    for (const b of mlp.biases) parts.push(Float32Array.from(constValues(m, ix, b), (x) => Math.fround(x * x)));
    parts.push(norms[at++]);
    const k = chooseNeurons(parts, options.ratio).keep;
    keep.push(k);
    for (const up of mlp.ups) plans.set(up.name, { axis: 'out', keep: k });
    plans.set(mlp.down.name, { axis: 'in', keep: k });
  }
  return { search, keep, plans, device };
}

/** Bits stored per weight of the base model: 32 × the share of the weight's neurons kept (32 outside the MLPs). */
export function structuredBits(plan: NeuronPlan | undefined): number {
  if (!plan) return 32;
  return (32 * plan.keep.reduce((a, b) => a + b, 0)) / plan.keep.length;
}

/** The stored form in words: "f32, graph rewritten: MLP neurons kept 768/1024 in each of 4 MLPs". */
export function structuredFormat(plan: StructuredPlan): string {
  if (plan.heads) return `f32, graph rewritten: ${headsFormat(plan.heads)}`;
  const kept = plan.search.mlps.map((mlp, k) => `${plan.keep[k].reduce((a, b) => a + b, 0)}/${mlp.n}`);
  const same = kept.every((x) => x === kept[0]);
  return `f32, graph rewritten: MLP neurons kept ${same ? `${kept[0]} in each of ${kept.length} MLPs` : kept.join(', ')}`;
}

/** The kept entries of a row-major tensor along `axis`. */
function sliceAxis(bytes: Uint8Array, dims: number[], axis: number, keep: Uint8Array, elemBytes: number): { bytes: Uint8Array; dims: number[] } {
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1) * elemBytes;
  const kept = keep.reduce((a, b) => a + b, 0);
  const out = new Uint8Array(outer * kept * inner);
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < dims[axis]; j++) {
      if (!keep[j]) continue;
      const from = (o * dims[axis] + j) * inner;
      out.set(bytes.subarray(from, from + inner), at);
      at += inner;
    }
  }
  const newDims = dims.slice();
  newDims[axis] = kept;
  return { bytes: out, dims: newDims };
}

/** The raw bytes of a tensor (raw_data, or float_data written out). */
function rawOf(t: TensorProto, dims: number[]): Uint8Array {
  if (t.rawData?.length) return t.rawData;
  if (t.dataType === 1) {
    const v = readF32({ name: t.name, dataType: 1, dims, params: dims.reduce((a, b) => a * b, 1), proto: t });
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }
  throw labError('BadOption', `structured-prune: constant ${t.name} keeps its values in a typed field of data type ${t.dataType}, which is not sliced`);
}

export function slicedTensor(t: TensorProto, axis: 'last' | number, keep: Uint8Array): TensorProto {
  const dims = t.dims.map(toNum);
  const ax = axis === 'last' ? dims.length - 1 : axis;
  const s = sliceAxis(rawOf(t, dims), dims, ax, keep, DT_BYTES[t.dataType] ?? 4);
  return onnx.TensorProto.create({ name: t.name, dims: s.dims, dataType: t.dataType, rawData: s.bytes }) as unknown as TensorProto;
}

/** The model with only the kept neurons of each MLP (the weights of the others are gone, not zeroed), and how many parameters went. */
export function writeStructuredModel(m: ParsedModel, plan: StructuredPlan): { bytes: Uint8Array; removedParams: number } {
  const g = m.proto.graph!;
  const ix = indexGraph(m);
  const replaced = new Map<string, TensorProto>();
  const nodes = g.node.slice();
  const hidden = new Set<string>();
  plan.search.mlps.forEach((mlp, k) => {
    const keep = plan.keep[k];
    for (const t of mlp.hidden) hidden.add(t);
    // a linear weight is (rows, cols) stored; the neuron axis follows from its layout
    for (const w of [...mlp.ups, mlp.down]) {
      const axis = plan.plans.get(w.name)!.axis;
      const stored = (w.layout === 'in_out') === (axis === 'out') ? 1 : 0;
      replaced.set(w.name, slicedTensor(ix.inits.get(w.name)!, stored, keep));
    }
    for (const b of mlp.biases) {
      if (b.node === undefined) {
        replaced.set(b.name, slicedTensor(ix.inits.get(b.name)!, 'last', keep));
        continue;
      }
      const old = nodes[b.node];
      const t = slicedTensor(attrT(old)!, 'last', keep);
      nodes[b.node] = onnx.NodeProto.create({
        ...(old as unknown as onnxProto.onnx.INodeProto),
        attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t }],
      }) as unknown as NodeProto;
    }
  });
  // attention heads: their weights sliced, the shapes carrying the head count rewritten, the old shape arithmetic dropped
  const heads = plan.heads ? rewriteHeads(m, plan.heads, plan.plans, replaced, nodes) : undefined;
  for (const t of heads?.changed ?? []) hidden.add(t);
  const read = heads && new Set(heads.nodes.flatMap((n) => n.input));
  // initializers only the dropped shape arithmetic read go with it
  const initializer = g.initializer.map((t) => replaced.get(t.name) ?? t).filter((t) => !read || read.has(t.name));
  // an initializer also listed as a graph input (old IR) would keep its old shape there
  const input = g.input.filter((i) => !replaced.has(i.name)).map((i) => withHeadDim(i, heads?.declared.get(i.name)));
  const output = g.output.map((o) => withHeadDim(o, heads?.declared.get(o.name)));
  const valueInfo = ((g as unknown as { valueInfo?: { name: string }[] }).valueInfo ?? []).filter((v) => !hidden.has(v.name));
  const count = (ts: readonly TensorProto[]) => ts.reduce((a, t) => a + t.dims.map(toNum).reduce((x, y) => x * y, 1), 0);
  const removedParams = count(g.initializer) - count(initializer);
  const bytes = serializeGraph(m, { node: heads?.nodes ?? nodes, initializer, input, output, valueInfo } as unknown as Parameters<typeof serializeGraph>[1]);
  return { bytes, removedParams };
}

