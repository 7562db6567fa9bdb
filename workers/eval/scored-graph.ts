/**
 * The evaluation graph: the model's ONNX graph with its scoring appended, so the logits are
 * reduced where they are computed (on the GPU for the WebGPU EP) and only a few numbers per token
 * come back to JS. Nothing else in the model changes.
 *
 *   single  (appended to the model's bytes, see scoredModel)
 *           inputs: the model's + lab_targets int64 [1, S, 1] (the next token of each row)
 *           outputs: lab_nll f32 [1,S,1]   −log softmax(logits)[target]
 *                    lab_top1 i32 [1,S,1]  argmax of the logits
 *                    lab_head f32 [1,K,V]  the first K rows of the logits (the backend-agreement check,
 *                                          fetched on the first window only)
 *   pair    base and variant in one graph, every name prefixed (base/, var/) except the shared
 *           inputs; outputs the variant's lab_nll, lab_top1, lab_head plus lab_base_nll,
 *           lab_base_top1 and lab_kl = Σ_v p_base (log p_base − log p_var) per row.
 *
 * A 124 M GPT-2 window (1024 × 50257 f32 logits, 206 MB) then reads back 4–20 bytes per row.
 */
import { sameExternalData } from './external-data';
import onnxProto from 'onnx-proto';
import { decodeModel, onnx, toNum, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from '../model/onnx-graph';
import { appendInRoom } from '../formats/room';

export const TARGETS = 'lab_targets';
export const OUT = Object.freeze({
  nll: 'lab_nll',
  top1: 'lab_top1',
  head: 'lab_head',
  baseNll: 'lab_base_nll',
  baseTop1: 'lab_base_top1',
  kl: 'lab_kl',
});
/** Rows of logits the backend-agreement check compares (first window only). */
export const HEAD_ROWS = 32;

const DT = onnx.TensorProto.DataType;
const INT = onnx.AttributeProto.AttributeType.INT;
const INTS = onnx.AttributeProto.AttributeType.INTS;

type Msg = Record<string, unknown>;
interface Opset { domain: string; version: unknown }

const node = (opType: string, input: string[], output: string[], attrs: Record<string, number | number[]> = {}): NodeProto =>
  onnx.NodeProto.create({
    opType, input, output, name: `lab/${output[0]}`,
    attribute: Object.entries(attrs).map(([name, v]) => (Array.isArray(v) ? { name, type: INTS, ints: v } : { name, type: INT, i: v })),
  }) as unknown as NodeProto;

/**
 * A reduction over the vocabulary axis (2), keeping it. Its axes moved from an attribute to an
 * input at opset 13 (ReduceSum) and 18 (ReduceMax): written the way the model's opset reads them.
 */
function reduceVocab(op: 'ReduceMax' | 'ReduceSum' | 'ReduceLogSumExp', x: string, out: string, opset: number): NodeProto {
  const asInput = opset >= (op === 'ReduceSum' ? 13 : 18);
  return asInput ? node(op, [x, 'lab_axis_vocab'], [out], { keepdims: 1 }) : node(op, [x], [out], { axes: [2], keepdims: 1 });
}

const int64Init = (name: string, values: number[]): TensorProto =>
  onnx.TensorProto.create({ name, dims: [values.length], dataType: DT.INT64, rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer) }) as unknown as TensorProto;

const valueInfo = (name: string, elemType: number, dims: (number | string)[]) =>
  onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });

const LOGITS = 'logits';

function logitsName(g: GraphProto): string {
  return g.output.find((o) => o.name === LOGITS)?.name ?? g.output[0].name;
}

/**
 * NLL by ReduceLogSumExp: nll = logsumexp(logits) − logits[target]. No tensor of the logits' size
 * is made besides the logits themselves (the written-out log-softmax below holds three at once: a
 * 124 M GPT-2 window of 1024 tokens is 206 MB each). onnxruntime's CPU EP runs it; the WebGPU EP
 * would send it to the CPU with every logit, so only WASM sessions use it, in the single graph and
 * for both NLLs of the pair graph (so a model scores the same alone and in a pair).
 */
function logSumExpNll(logits: string, p: string, nll: string, opset: number): NodeProto[] {
  const n = (s: string) => `${p}lab_${s}`;
  return [
    reduceVocab('ReduceLogSumExp', logits, n('lse'), opset),
    node('GatherElements', [logits, TARGETS], [n('picked_logit')], { axis: 2 }),
    node('Sub', [n('lse'), n('picked_logit')], [nll]),
  ];
}

const top1Nodes = (logits: string, p: string, top1: string): NodeProto[] => [
  node('ArgMax', [logits], [`${p}lab_top1_64`], { axis: 2, keepdims: 1 }),
  // int64 → int32 runs on the CPU EP (WebGPU has no such Cast): 8 bytes a row, not the logits
  node('Cast', [`${p}lab_top1_64`], [top1], { to: DT.INT32 }),
];

/**
 * NLL and top-1 of one logits tensor; returns the log-softmax name too (the pair's KL reads it).
 * log-softmax is written out (max, subtract, exp, sum, log) because the WebGPU EP has no
 * LogSoftmax kernel: ORT would run it on the CPU and copy every logit there.
 */
function scoreNodes(logits: string, p: string, nll: string, top1: string, opset: number, logSumExp = false): { nodes: NodeProto[]; logp: string } {
  const n = (s: string) => `${p}lab_${s}`;
  const logp = n('logp');
  const logSoftmax = [
    reduceVocab('ReduceMax', logits, n('max'), opset),
    node('Sub', [logits, n('max')], [n('shifted')]),
    node('Exp', [n('shifted')], [n('exp')]),
    reduceVocab('ReduceSum', n('exp'), n('sumexp'), opset),
    node('Log', [n('sumexp')], [n('logz')]),
    node('Sub', [n('shifted'), n('logz')], [logp]),
  ];
  const nllNodes = logSumExp
    ? logSumExpNll(logits, p, nll, opset)
    : [node('GatherElements', [logp, TARGETS], [n('picked')], { axis: 2 }), node('Neg', [n('picked')], [nll])];
  return { logp, nodes: [...logSoftmax, ...nllNodes, ...top1Nodes(logits, p, top1)] };
}

const headNodes = (logits: string): NodeProto[] => [node('Slice', [logits, 'lab_zero', 'lab_head_rows', 'lab_axis_seq'], [OUT.head])];
const CONSTANTS = (): TensorProto[] => [int64Init('lab_zero', [0]), int64Init('lab_head_rows', [HEAD_ROWS]), int64Init('lab_axis_seq', [1]), int64Init('lab_axis_vocab', [2])];

const perRow = (name: string, elemType: number) => valueInfo(name, elemType, [1, 'lab_seq', 1]);
const COMMON_OUTPUTS = () => [perRow(OUT.nll, DT.FLOAT), perRow(OUT.top1, DT.INT32), valueInfo(OUT.head, DT.FLOAT, [1, 'lab_head_rows', 'lab_vocab'])];

function encode(proto: ModelProto, graph: Msg, opsetImport?: Opset[]): Uint8Array {
  const g = onnx.GraphProto.create(graph as onnxProto.onnx.IGraphProto);
  const fields: Msg = { ...proto, graph: g };
  if (opsetImport) fields.opsetImport = opsetImport;
  return onnx.ModelProto.encode(onnx.ModelProto.create(fields as onnxProto.onnx.IModelProto)).finish();
}

/** Reads a varint at `pos`; returns [value, next position]. Lengths and tags here stay below 2^53. */
function varint(b: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (;;) {
    const byte = b[pos++];
    v += (byte & 0x7f) * mul;
    if (byte < 0x80) return [v, pos];
    mul *= 128;
  }
}

/**
 * The default-domain opset of a serialized ModelProto, from its top-level fields only (the graph,
 * field 7, is skipped by its length, never decoded). 0 when absent.
 */
export function defaultOpset(bytes: Uint8Array): number {
  let pos = 0;
  let found = 0;
  while (pos < bytes.length) {
    const [tag, p1] = varint(bytes, pos);
    const wire = tag & 7;
    if (wire === 0) {
      pos = varint(bytes, p1)[1];
    } else if (wire === 2) {
      const [len, p2] = varint(bytes, p1);
      if (tag >>> 3 === 8) {
        const o = onnx.OperatorSetIdProto.decode(bytes.subarray(p2, p2 + len));
        if (!o.domain || o.domain === 'ai.onnx') found = Math.max(found, toNum(o.version));
      }
      pos = p2 + len;
    } else if (wire === 1) pos = p1 + 8;
    else if (wire === 5) pos = p1 + 4;
    else throw new Error(`unexpected protobuf wire type ${wire} at byte ${pos} of the model`);
  }
  return found;
}

/**
 * The model with NLL / top-1 / head outputs, without decoding it: a serialized ModelProto holding
 * only the new graph parts is appended to the bytes, and protobuf parsers merge a repeated
 * message field into the first (repeated fields such as node, input and output are concatenated).
 * So a 500 MB model is copied once, never parsed and re-encoded in the worker. Its own outputs stay
 * declared but are never fetched. The engine only loads graphs with a "logits" output.
 */
export function scoredModel(bytes: Uint8Array, opts: { logSumExp?: boolean } = {}): Uint8Array {
  const opset = defaultOpset(bytes);
  // the log-softmax is needed only for the pair's KL: without it, nothing of the logits' size is made
  const nodes = opts.logSumExp ? [...logSumExpNll(LOGITS, '', OUT.nll, opset), ...top1Nodes(LOGITS, '', OUT.top1)] : scoreNodes(LOGITS, '', OUT.nll, OUT.top1, opset).nodes;
  const graph = onnx.GraphProto.create({
    node: [...nodes, ...headNodes(LOGITS)],
    initializer: CONSTANTS(),
    input: [perRow(TARGETS, DT.INT64)],
    output: COMMON_OUTPUTS(),
  } as unknown as onnxProto.onnx.IGraphProto);
  const extra = onnx.ModelProto.encode(onnx.ModelProto.create({ graph })).finish();
  // a packed variant has room behind its bytes for this (formats/room.ts): no copy of the model
  const out = appendInRoom(bytes, extra) ?? new Uint8Array(bytes.length + extra.length);
  if (out.buffer !== bytes.buffer) {
    out.set(bytes);
    out.set(extra, bytes.length);
  }
  return sameExternalData(out, bytes);
}

/** Every name in a graph (and its subgraphs) prefixed, except the shared inputs and '' (an absent optional input). */
function renamed(g: GraphProto, rename: (n: string) => string): Msg {
  const graph = g as unknown as Msg & GraphProto & { valueInfo?: { name: string }[] };
  const attr = (a: Msg): Msg => {
    if (a.g) return { ...a, g: renamed(a.g as GraphProto, rename) };
    if (Array.isArray(a.graphs) && a.graphs.length) return { ...a, graphs: (a.graphs as GraphProto[]).map((s) => renamed(s, rename)) };
    return a;
  };
  return {
    ...graph,
    node: g.node.map((n) => ({ ...n, name: rename(n.name || `${n.opType}_${n.output[0]}`), input: n.input.map(rename), output: n.output.map(rename), attribute: (n.attribute as unknown as Msg[]).map(attr) })),
    initializer: g.initializer.map((t) => ({ ...t, name: rename(t.name) })),
    input: g.input.map((v) => ({ ...v, name: rename(v.name) })),
    output: g.output.map((v) => ({ ...v, name: rename(v.name) })),
    valueInfo: (graph.valueInfo ?? []).map((v) => ({ ...v, name: rename(v.name) })),
  };
}

function mergedOpsets(a: ModelProto, b: ModelProto): Opset[] {
  const out = new Map<string, Opset>();
  for (const m of [a, b]) {
    for (const o of ((m as unknown as { opsetImport?: Opset[] }).opsetImport ?? [])) {
      const prev = out.get(o.domain);
      if (!prev || toNum(o.version) > toNum(prev.version)) out.set(o.domain, o);
    }
  }
  return [...out.values()];
}

/**
 * Base and variant in one graph sharing the inputs, scored against each other row by row:
 * KL(base ‖ variant), both NLLs and both top-1s. The two must take the same inputs (a variant
 * of the base always does).
 */
export function pairModel(baseBytes: Uint8Array, variantBytes: Uint8Array, opts: { logSumExp?: boolean } = {}): Uint8Array {
  const base = decodeModel(baseBytes);
  const variant = decodeModel(variantBytes);
  const bg = base.graph!;
  const vg = variant.graph!;
  const inits = (g: GraphProto) => new Set(g.initializer.map((t) => t.name));
  const feeds = (g: GraphProto) => g.input.map((i) => i.name).filter((n) => !inits(g).has(n));
  const shared = new Set(feeds(bg));
  const missing = feeds(vg).filter((n) => !shared.has(n));
  if (missing.length) throw new Error(`the variant takes inputs the base does not (${missing.join(', ')}); they cannot share one graph`);
  const prefix = (p: string) => (n: string) => (n === '' || shared.has(n) ? n : p + n);
  const b = renamed(bg, prefix('base/')) as unknown as GraphProto;
  const v = renamed(vg, prefix('var/')) as unknown as GraphProto;
  const opsets = mergedOpsets(base, variant);
  const opset = toNum(opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0);
  const vs = scoreNodes(`var/${logitsName(vg)}`, 'var/', OUT.nll, OUT.top1, opset, opts.logSumExp);
  const bs = scoreNodes(`base/${logitsName(bg)}`, 'base/', OUT.baseNll, OUT.baseTop1, opset, opts.logSumExp);
  const kl = [
    node('Exp', [bs.logp], ['lab_p_base']),
    node('Sub', [bs.logp, vs.logp], ['lab_logratio']),
    node('Mul', ['lab_p_base', 'lab_logratio'], ['lab_kl_terms']),
    reduceVocab('ReduceSum', 'lab_kl_terms', OUT.kl, opset),
  ];
  return sameExternalData(encode(base, {
    ...bg,
    name: 'lab-pair',
    node: [...b.node, ...v.node, ...vs.nodes, ...bs.nodes, ...kl, ...headNodes(`var/${logitsName(vg)}`)],
    initializer: [...b.initializer, ...v.initializer, ...CONSTANTS()],
    input: [...bg.input.filter((i) => shared.has(i.name)), perRow(TARGETS, DT.INT64)],
    output: [...COMMON_OUTPUTS(), perRow(OUT.baseNll, DT.FLOAT), perRow(OUT.baseTop1, DT.INT32), perRow(OUT.kl, DT.FLOAT)],
    valueInfo: [...((b as unknown as Msg).valueInfo as unknown[]), ...((v as unknown as Msg).valueInfo as unknown[])],
  }, opsets), baseBytes, variantBytes);
}
