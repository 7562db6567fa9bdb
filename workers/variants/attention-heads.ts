/**
 * Structured pruning of attention heads that rewrites the graph (structured-prune with
 * unit 'heads'; compression/structured-prune/heads.ts says how heads are scored). Three steps,
 * like the MLP neurons' in structured.ts:
 *
 *   findAttentions  each attention of the graph, found from its output projection O backwards:
 *                   O's input is a Reshape ("merge heads") of a Transpose of softmax(Q·Kᵀ)·V, and
 *                   walking back through the ops an attention uses (Transpose, Reshape, Split,
 *                   MatMul, Softmax, element-wise, Slice/Concat of rotary embeddings, Unsqueeze →
 *                   Expand → Reshape of repeat_kv) reaches the Q, K and V projections: three
 *                   weights (Llama), or one fused weight cut in three by a Split (GPT-2's c_attn).
 *                   The heads of each come from the constant head count of its "split heads"
 *                   Reshape. Every tensor on that path must be read only on it (or by Shape), and
 *                   only a KV cache's present (past ++ this step along the positions) may be a
 *                   graph output.
 *   planHeads       per attention the unit norms (channel sums in WGSL on WebGPU, the TS twin on the
 *                   CPU) and the units kept: heads, or with grouped-query attention whole KV groups
 *                   (a K head, a V head and the query heads that read them), so the KV heads are
 *                   pruned too and every KV head is still read by the same number of query heads.
 *   rewriteHeads    Q/K/V columns and bias entries and O rows of removed heads gone; the shapes
 *                   that carry the head count rewritten as constants: "split heads" Reshapes
 *                   [0, 0, heads, head size], "merge heads" [0, 0, heads · head size] (0 = copy the
 *                   batch and sequence dims), the fused Split's sizes, repeat_kv's Expand
 *                   [1, 1, group, 1, 1] and Reshape [0, heads, -1, head size]; an empty past
 *                   (ConstantOfShape with 0 positions) concatenated to K/V is dropped (its head
 *                   count is fixed); a KV-cache decoder's past inputs and present outputs declare
 *                   the KV heads kept (the feeds build the empty past from that declaration).
 *                   The old shape arithmetic, now unread, is removed.
 */
import type onnxProto from 'onnx-proto';
import type { KernelDevice, LinearWeight } from '../api';
import { getKernelGpu } from '../compression/gpu-device';
import { unitSumSquaresBatch, unitSumSquaresBatchGpu, type NormRequest } from '../compression/structured-prune/gpu';
import { channelMask, unitBiasSquares, type UnitView } from '../compression/structured-prune/heads';
import type { NeuronPlan, StructuredPruneOptions } from '../compression/structured-prune/meta';
import { chooseNeurons, neuronView } from '../compression/structured-prune/reference';
import { labError } from '../errors';
import { blockOf } from '../model/blocks';
import { onnx, readF32, toNum, type NodeProto, type ParsedModel, type TensorProto } from '../model/onnx-graph';
import { attrT, constDims, indexGraph, slicedTensor, type GraphIndex } from './structured';
import { fusedAttentionNote } from '../model/fused-attention';

/** Ops an attention's head-carrying tensors pass through between the projections and O. */
const PATH_OPS = new Set(['Transpose', 'Reshape', 'Split', 'MatMul', 'Softmax', 'Add', 'Sub', 'Mul', 'Div', 'Neg', 'Slice', 'Concat', 'Unsqueeze', 'Expand', 'Cast', 'Identity', 'Where']);

/** One of Q, K, V: a weight (or a third of a fused one) with its bias. */
export interface Segment {
  weight: LinearWeight;
  /** first output channel in the weight (fused c_attn: 0, D, 2D) */
  offset: number;
  /** output channels (heads × head size) */
  width: number;
  heads: number;
  /** the bias constant added to the whole weight's output, when there is one */
  bias?: string;
}

export interface Attention {
  /** "block 3" when the names say so */
  label: string;
  q: Segment;
  k: Segment;
  v: Segment;
  o: LinearWeight;
  headDim: number;
  /** query heads per KV head (1 without grouped-query attention) */
  group: number;
  /** units pruned: KV heads (= heads without GQA) */
  units: number;
  /** the node indices whose shape inputs or sizes are rewritten, by what they do */
  splitHeads: { node: number; seg: 'q' | 'k' | 'v' }[];
  merge: number;
  repeat: { expand: number; reshape: number }[];
  emptyPast: { node: number; keep: string }[];
  /** a KV-cache decoder's past inputs and present outputs (their declared head dims change) */
  cache: { past: string; present: string }[];
  split?: number;
  /** every tensor between the projections and O (their head dims change) */
  path: Set<string>;
}

export interface AttentionSearch {
  attentions: Attention[];
  skipped: string[];
}

/** int64 values of a constant (initializer or Constant node), or undefined. */
function intsOf(m: ParsedModel, ix: GraphIndex, name: string): number[] | undefined {
  const init = ix.inits.get(name);
  const k = ix.constNodes.get(name);
  const t: TensorProto | undefined = init ?? (k !== undefined ? attrT(m.proto.graph!.node[k]) : undefined);
  if (!t || t.dataType !== 7) return undefined;
  if (t.rawData?.length) return Array.from(new BigInt64Array(t.rawData.slice().buffer), Number);
  return ((t as unknown as { int64Data?: unknown[] }).int64Data ?? []).map(toNum);
}

/** Element `at` of a shape tensor built as a constant or a Concat of (Unsqueezed) constants, if constant. */
function shapeElement(m: ParsedModel, ix: GraphIndex, shape: string, at: number): number | undefined {
  const whole = intsOf(m, ix, shape);
  if (whole) return whole[at];
  const k = ix.producer.get(shape);
  const node = k === undefined ? undefined : m.proto.graph!.node[k];
  if (!node || node.opType !== 'Concat') return undefined;
  let pos = 0;
  for (const part of node.input) {
    const v = intsOf(m, ix, part);
    const len = v ? v.length : 1; // a dynamic part of a shape Concat is one Unsqueezed scalar
    if (at < pos + len) return v ? v[at - pos] : undefined;
    pos += len;
  }
  return undefined;
}

/** The attention whose output projection is `o` (its MatMul is node `oNode`), or why there is none. */
function attentionAt(m: ParsedModel, ix: GraphIndex, byName: Map<string, LinearWeight>, o: LinearWeight, oNode: number): Attention | string {
  const g = m.proto.graph!;
  const nodes = g.node;
  const mergeK = ix.producer.get(nodes[oNode].input[0]);
  if (mergeK === undefined || nodes[mergeK].opType !== 'Reshape') return 'input is not a Reshape';
  // backwards from the merge: the region, and the projections where it starts
  const back = new Set<number>([mergeK]);
  const projections = new Map<number, LinearWeight>();
  const stack = [nodes[mergeK].input[0]];
  while (stack.length) {
    const t = stack.pop()!;
    const k = ix.producer.get(t);
    if (k === undefined || back.has(k)) continue;
    const node = nodes[k];
    if (node.domain || !PATH_OPS.has(node.opType)) continue;
    const w = node.opType === 'MatMul' ? byName.get(node.input[1]) : undefined;
    if (w) {
      projections.set(k, w);
      continue;
    }
    back.add(k);
    // a Reshape's, Expand's, Slice's and Unsqueeze's later inputs are shapes and indices, not data
    const data = ['Reshape', 'Expand', 'Slice', 'Unsqueeze', 'Split'].includes(node.opType) ? [node.input[0]] : node.input;
    for (const i of data) if (i && !ix.inits.has(i) && !ix.constNodes.has(i)) stack.push(i);
  }
  if (!projections.size) return 'no projection before it';
  if (projections.size !== 1 && projections.size !== 3) return `${projections.size} projections feed it (expected Q, K, V or one fused)`;
  // forwards from the projections: the path is what both walks reach
  const path = new Set<string>();
  const onPath = new Set<number>();
  const outputs: string[] = [];
  const fwd = [...projections.keys()].map((k) => nodes[k].output[0]);
  while (fwd.length) {
    const t = fwd.pop()!;
    if (path.has(t)) continue;
    path.add(t);
    if (ix.outputs.has(t)) outputs.push(t); // a KV cache's present: checked below
    for (const c of ix.consumers.get(t) ?? []) {
      if (c === oNode || nodes[c].opType === 'Shape') continue;
      if (!back.has(c)) return `${t} is also read by ${nodes[c].name || nodes[c].opType}`;
      onPath.add(c);
      fwd.push(...nodes[c].output);
    }
  }
  if (!onPath.has(mergeK)) return 'the projections do not reach it';
  // the projections' sources: the tensor after the bias Add, cut by a Split when fused
  const sources = new Map<string, { weight: LinearWeight; offset: number; width: number; bias?: string }>();
  let split: number | undefined;
  for (const [k, w] of projections) {
    const out = neuronView(w, 'out').count;
    let t = nodes[k].output[0];
    let bias: string | undefined;
    const cs = ix.consumers.get(t) ?? [];
    const add = cs.length === 1 && nodes[cs[0]].opType === 'Add' ? nodes[cs[0]] : undefined;
    const other = add?.input.find((i) => i !== t);
    if (add && other && constDims(ix, g, other)?.reduce((a, b) => a * b, 1) === out) {
      bias = other;
      t = add.output[0];
    }
    const next = (ix.consumers.get(t) ?? []).map((c) => nodes[c]);
    if (projections.size === 1) {
      if (next.length !== 1 || next[0].opType !== 'Split' || next[0].output.length !== 3) return `fused projection ${w.name} is not cut in three by a Split`;
      const sizes = next[0].input[1] ? intsOf(m, ix, next[0].input[1]) : undefined;
      if (!sizes || sizes.length !== 3 || sizes.some((s) => s !== out / 3)) return `the Split after ${w.name} does not cut it in three equal parts`;
      split = ix.producer.get(next[0].output[0]);
      next[0].output.forEach((o3, i) => sources.set(o3, { weight: w, offset: (i * out) / 3, width: out / 3, bias }));
    } else sources.set(t, { weight: w, offset: 0, width: out, bias });
  }
  // which source is Q, K, V: P·V is what the merge reads; P comes from softmax(Q·Kᵀ)
  const producerOf = (t: string) => {
    const k = ix.producer.get(t);
    return k === undefined ? undefined : nodes[k];
  };
  let pv = producerOf(nodes[mergeK].input[0]);
  while (pv && pv.opType === 'Transpose') pv = producerOf(pv.input[0]);
  if (!pv || pv.opType !== 'MatMul') return 'merge heads does not read P·V';
  const sourceOf = (t: string): string | undefined => {
    // walk back along data inputs until a source; the first one found (rotary branches meet again)
    const seen = new Set<string>();
    const st = [t];
    while (st.length) {
      const x = st.pop()!;
      if (sources.has(x)) return x;
      if (seen.has(x) || !path.has(x)) continue;
      seen.add(x);
      const n = producerOf(x);
      if (n) for (const i of n.input) if (path.has(i)) st.push(i);
    }
    return undefined;
  };
  let qk = producerOf(pv.input[0]);
  while (qk && qk.opType !== 'MatMul') qk = producerOf(qk.input.find((i) => path.has(i)) ?? '');
  if (!qk) return 'no Q·Kᵀ MatMul before the softmax';
  const [qs, ks, vs] = [sourceOf(qk.input[0]), sourceOf(qk.input[1]), sourceOf(pv.input[1])];
  if (!qs || !ks || !vs || new Set([qs, ks, vs]).size !== 3) return 'Q, K and V do not come from three distinct projections';
  // the shape sites, each checked
  const splitHeads: Attention['splitHeads'] = [];
  const repeat: Attention['repeat'] = [];
  const emptyPast: Attention['emptyPast'] = [];
  const cache: Attention['cache'] = [];
  const roleOf = new Map([[qs, 'q' as const], [ks, 'k' as const], [vs, 'v' as const]]);
  const heads: Partial<Record<'q' | 'k' | 'v', number>> = {};
  let headDim: number | undefined;
  for (const k of onPath) {
    const node = nodes[k];
    if (node.opType === 'Reshape') {
      const role = roleOf.get(node.input[0]);
      const from = producerOf(node.input[0]);
      if (k === mergeK) continue;
      if (role) {
        const h = shapeElement(m, ix, node.input[1], 2);
        if (!h) return `the head count of ${node.name || 'a Reshape'} is not a constant`;
        heads[role] = h;
        headDim = sources.get(node.input[0])!.width / h;
        splitHeads.push({ node: k, seg: role });
      } else if (from?.opType === 'Expand') {
        const e = ix.producer.get(node.input[0])!;
        const u = producerOf(nodes[e].input[0]);
        if (u?.opType !== 'Unsqueeze' || intsOf(m, ix, u.input[1])?.join() !== '2') return `repeat_kv at ${node.name || 'a Reshape'} is not Unsqueeze(axis 2) → Expand → Reshape`;
        repeat.push({ expand: e, reshape: k });
      } else return `${node.name || 'a Reshape'} on the attention path is neither split heads, merge heads nor repeat_kv`;
    } else if (node.opType === 'Expand') {
      const r = (ix.consumers.get(node.output[0]) ?? []).map((c) => nodes[c]);
      if (r.length !== 1 || r[0].opType !== 'Reshape') return `Expand ${node.name} does not feed one Reshape`;
    } else if (node.opType === 'Concat') {
      const outside = node.input.filter((i) => !path.has(i));
      if (!outside.length) continue;
      const axis = toNum(node.attribute.find((a) => a.name === 'axis')?.i);
      // a KV cache: the past (a graph input, heads on axis 1) before this step's K or V along the positions
      if (outside.length === 1 && node.input.length === 2 && m.inputNames.includes(outside[0]) && (axis === 2 || axis === -2)) {
        cache.push({ past: outside[0], present: node.output[0] });
        continue;
      }
      const cos = outside.length === 1 ? producerOf(outside[0]) : undefined;
      const zero = cos?.opType === 'ConstantOfShape' ? shapeElement(m, ix, cos.input[0], axis < 0 ? 4 + axis : axis) : undefined;
      if (node.input.length !== 2 || zero !== 0) return `${node.name || 'a Concat'} joins the attention path with a tensor that is not an empty past`;
      emptyPast.push({ node: k, keep: node.input.find((i) => path.has(i))! });
    } else if (node.opType === 'Split' && k !== split) return `Split ${node.name} inside the attention`;
  }
  const presents = new Set(cache.map((c) => c.present));
  const stray = outputs.find((t) => !presents.has(t));
  if (stray) return `${stray} is a graph output`;
  const [hq, hk, hv] = [heads.q, heads.k, heads.v];
  if (!hq || !hk || !hv || !headDim) return 'no split-heads Reshape for each of Q, K and V';
  const seg = (s: string, h: number): Segment => ({ ...sources.get(s)!, heads: h });
  const q = seg(qs, hq);
  const kk = seg(ks, hk);
  const v = seg(vs, hv);
  if (hk !== hv || hq % hk || q.width / hq !== headDim || kk.width / hk !== headDim || v.width / hv !== headDim) {
    return `heads Q ${hq} × ${q.width / hq}, K ${hk} × ${kk.width / hk}, V ${hv} × ${v.width / hv} do not fit one head size`;
  }
  if (neuronView(o, 'in').count !== q.width) return `${o.name} reads ${neuronView(o, 'in').count} inputs, Q has ${q.width}`;
  if ((hq !== hk) !== repeat.length > 0) return hq !== hk ? 'grouped-query attention without a repeat_kv' : 'repeat_kv without grouped-query attention';
  for (const w of new Set([q.weight, kk.weight, v.weight, o])) if (w.shared) return `${w.name} is also read by another node`;
  const block = blockOf(o);
  return {
    label: block === undefined ? o.name : `block ${block}`,
    q, k: kk, v, o, headDim, group: hq / hk, units: hk,
    splitHeads, merge: mergeK, repeat, emptyPast, cache, split, path,
  };
}

/** Every attention of the graph (in graph order of the output projections), and the candidates left whole. */
export function findAttentions(m: ParsedModel, linear: readonly LinearWeight[]): AttentionSearch {
  const ix = indexGraph(m);
  const byName = new Map(linear.map((w) => [w.name, w]));
  const attentions: Attention[] = [];
  const skipped: string[] = [];
  m.proto.graph!.node.forEach((node, k) => {
    if (node.opType !== 'MatMul' || node.domain) return;
    const o = byName.get(node.input[1]);
    if (!o) return;
    const r = attentionAt(m, ix, byName, o, k);
    if (typeof r !== 'string') attentions.push(r);
    else if (!/input is not a Reshape|no projection before it/.test(r)) skipped.push(`${o.name}: ${r}`);
  });
  return { attentions, skipped };
}

export interface HeadPlan {
  search: AttentionSearch;
  /** per attention, 1 = unit (head or KV group) kept */
  keep: Uint8Array[];
}

/** Channel keep-masks per weight: Q/K/V columns (the fused weight's three segments in one mask) and O rows. */
function channelPlans(a: Attention, keep: Uint8Array): Map<string, NeuronPlan> {
  const plans = new Map<string, NeuronPlan>();
  const qkv = [{ s: a.q, width: a.group * a.headDim }, { s: a.k, width: a.headDim }, { s: a.v, width: a.headDim }];
  for (const w of new Set(qkv.map((x) => x.s.weight))) {
    const segs = qkv.filter((x) => x.s.weight === w).map((x) => ({ offset: x.s.offset, width: x.width }));
    plans.set(w.name, { axis: 'out', keep: channelMask(neuronView(w, 'out').count, segs, keep) });
  }
  plans.set(a.o.name, { axis: 'in', keep: channelMask(a.q.width, [{ offset: 0, width: a.group * a.headDim }], keep) });
  return plans;
}

/**
 * The units each attention keeps, and the per-weight channel plans the per-tensor step reads. Unit
 * norms: ‖Q cols‖² + b_Q² + ‖K cols‖² + b_K² + ‖V cols‖² + b_V² + ‖O rows‖², summed in that order
 * in f32 (chooseNeurons: the lowest round(ratio · units) go, ties to the lower index, one stays).
 */
export async function planHeads(m: ParsedModel, linear: readonly LinearWeight[], options: StructuredPruneOptions, device: KernelDevice, blocks?: readonly number[]): Promise<{ heads: HeadPlan; plans: Map<string, NeuronPlan> }> {
  const search = findAttentions(m, linear);
  if (blocks) search.attentions = search.attentions.filter((a) => blocks.includes(blockOf(a.o) ?? -1));
  if (!search.attentions.length) {
    const fused = fusedAttentionNote(m);
    if (fused) throw labError('BadOption', `structured-prune: ${fused}`);
    const why = search.skipped.length ? `; left whole: ${search.skipped.join('; ')}` : '';
    throw labError('BadOption', `structured-prune: no attention found (Q/K/V projections → heads → output projection)${why}`);
  }
  const gpu = device === 'webgpu' ? (await getKernelGpu()).device : undefined;
  const ix = indexGraph(m);
  const segments = (a: Attention) => [[a.q, a.group * a.headDim], [a.k, a.headDim], [a.v, a.headDim]] as const;
  // every attention's weights in one batch (few submits and map round trips on WebGPU, not one a weight);
  // a fused q|k|v weight is one request whose three segments share its upload
  const requests: NormRequest[] = [];
  for (const a of search.attentions) {
    const byWeight = new Map<LinearWeight, UnitView[]>();
    for (const [s, width] of segments(a)) byWeight.set(s.weight, [...(byWeight.get(s.weight) ?? []), { ...neuronView(s.weight, 'out'), count: a.units, width, offset: s.offset }]);
    for (const [w, units] of byWeight) requests.push({ data: () => readF32(m.tensors.get(w.name)!), units });
    requests.push({ data: () => readF32(m.tensors.get(a.o.name)!), units: [{ ...neuronView(a.o, 'in'), count: a.units, width: a.group * a.headDim, offset: 0 }] });
  }
  const norms = gpu ? await unitSumSquaresBatchGpu(gpu, requests) : unitSumSquaresBatch(requests);
  const keep: Uint8Array[] = [];
  const plans = new Map<string, NeuronPlan>();
  let at = 0;
  for (const a of search.attentions) {
    // this attention's requests, in the order pushed: its q|k|v weights (segments in Q, K, V order within each), then O
    const weights = new Set(segments(a).map(([s]) => s.weight));
    const ofWeight = new Map([...weights].map((w) => [w, norms[at++]]));
    const o = norms[at++][0];
    const parts: Float32Array[] = [];
    for (const [s, width] of segments(a)) {
      parts.push(ofWeight.get(s.weight)!.shift()!);
      if (s.bias) {
        const b = ix.inits.get(s.bias) ? readF32(m.tensors.get(s.bias)!) : new Float32Array(attrT(m.proto.graph!.node[ix.constNodes.get(s.bias)!])!.rawData.slice().buffer);
        parts.push(unitBiasSquares(b, a.units, width, s.offset));
      }
    }
    parts.push(o);
    const k = chooseNeurons(parts, options.ratio).keep;
    keep.push(k);
    for (const [name, p] of channelPlans(a, k)) plans.set(name, p);
  }
  return { heads: { search, keep }, plans };
}

/** "attention heads kept 3/4 in each of 4 blocks" (with GQA: "… kept 2/4 (KV groups 1/2) …"). */
export function headsFormat(plan: HeadPlan): string {
  const kept = plan.search.attentions.map((a, i) => {
    const units = plan.keep[i].reduce((x, y) => x + y, 0);
    return `${units * a.group}/${a.units * a.group}${a.group > 1 ? ` (KV groups ${units}/${a.units})` : ''}`;
  });
  const same = kept.every((x) => x === kept[0]);
  return `attention heads kept ${same ? `${kept[0]} in each of ${kept.length} blocks` : kept.join(', ')}`;
}

const int64Tensor = (name: string, values: number[]) =>
  onnx.TensorProto.create({ name, dims: [values.length], dataType: 7, rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer) }) as unknown as TensorProto;

/** A Constant node holding int64 `values` (not an initializer: the parameter count stays that of the weights). */
const constNode = (name: string, values: number[]) =>
  onnx.NodeProto.create({ name, opType: 'Constant', output: [name], attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: int64Tensor(name, values) }] }) as unknown as NodeProto;

const withInputs = (n: NodeProto, input: string[]) => onnx.NodeProto.create({ ...(n as unknown as onnxProto.onnx.INodeProto), input }) as unknown as NodeProto;

/**
 * The head rewrite on a copy of the graph's nodes: weights and biases sliced into `replaced`, shape
 * sites pointed at new constants, empty pasts dropped, then every node nothing reads any more
 * removed. Returns the new node list and the tensors whose dims changed.
 */
export function rewriteHeads(m: ParsedModel, plan: HeadPlan, plans: ReadonlyMap<string, NeuronPlan>, replaced: Map<string, TensorProto>, given: NodeProto[]): { nodes: NodeProto[]; changed: Set<string>; declared: Map<string, number> } {
  const ix = indexGraph(m);
  const nodes = given.slice();
  const added: NodeProto[] = [];
  const changed = new Set<string>();
  const declared = new Map<string, number>();
  plan.search.attentions.forEach((a, i) => {
    const units = plan.keep[i].reduce((x, y) => x + y, 0);
    const hq = units * a.group;
    for (const t of a.path) changed.add(t);
    for (const w of new Set([a.q.weight, a.k.weight, a.v.weight, a.o])) {
      const p = plans.get(w.name)!;
      replaced.set(w.name, slicedTensor(ix.inits.get(w.name)!, (w.layout === 'in_out') === (p.axis === 'out') ? 1 : 0, p.keep));
    }
    for (const s of [a.q, a.k, a.v]) {
      if (!s.bias || replaced.has(s.bias)) continue;
      const keep = plans.get(s.weight.name)!.keep;
      const k = ix.constNodes.get(s.bias);
      if (k === undefined) replaced.set(s.bias, slicedTensor(ix.inits.get(s.bias)!, 'last', keep));
      else nodes[k] = onnx.NodeProto.create({ ...(nodes[k] as unknown as onnxProto.onnx.INodeProto), attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: slicedTensor(attrT(nodes[k])!, 'last', keep) }] }) as unknown as NodeProto;
    }
    const site = (k: number, values: number[], at = 1) => {
      const name = `${nodes[k].name || nodes[k].output[0]}/pruned_heads_${at}`;
      added.push(constNode(name, values));
      const input = nodes[k].input.slice();
      input[at] = name;
      nodes[k] = withInputs(nodes[k], input);
    };
    for (const s of a.splitHeads) site(s.node, [0, 0, s.seg === 'q' ? hq : units, a.headDim]);
    site(a.merge, [0, 0, hq * a.headDim]);
    for (const r of a.repeat) {
      site(r.expand, [1, 1, a.group, 1, 1]);
      site(r.reshape, [0, hq, -1, a.headDim]);
    }
    if (a.split !== undefined) site(a.split, [units * a.headDim, units * a.headDim, units * a.headDim]);
    for (const c of a.cache) for (const name of [c.past, c.present]) declared.set(name, units);
    for (const e of a.emptyPast) {
      nodes[e.node] = onnx.NodeProto.create({ name: nodes[e.node].name, opType: 'Identity', input: [e.keep], output: nodes[e.node].output }) as unknown as NodeProto;
    }
  });
  return { nodes: liveNodes([...added, ...nodes], new Set(m.proto.graph!.output.map((o) => o.name))), changed, declared };
}

/** A graph input or output with its declared axis 1 (KV heads of a past or present) set to `heads`. */
export function withHeadDim<T extends { name: string }>(v: T, heads: number | undefined): T {
  if (heads === undefined) return v;
  const copy = onnx.ValueInfoProto.fromObject(onnx.ValueInfoProto.toObject(v as unknown as onnxProto.onnx.ValueInfoProto)) as unknown as { type?: { tensorType?: { shape?: { dim: { dimValue?: unknown; dimParam?: string }[] } } } };
  const dim = copy.type?.tensorType?.shape?.dim?.[1];
  if (dim) {
    delete dim.dimParam; // one of dimValue / dimParam: an empty dimParam would be written and win
    dim.dimValue = heads;
  }
  return copy as unknown as T;
}

/** The nodes something still reads (a graph output, or a live node's input), in their order. */
function liveNodes(nodes: NodeProto[], outputs: Set<string>): NodeProto[] {
  const needed = new Set(outputs);
  const live = new Array<boolean>(nodes.length).fill(false);
  for (let k = nodes.length - 1; k >= 0; k--) {
    if (!nodes[k].output.some((o) => needed.has(o))) continue;
    live[k] = true;
    for (const i of nodes[k].input) if (i) needed.add(i);
  }
  // a constant added in front may be read by a node after it: topological order holds (it has no inputs)
  return nodes.filter((_, k) => live[k]);
}
