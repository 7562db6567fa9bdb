/**
 * The bare contestant that does the lab's WASM work (scripts/bench.ts, audit 6 item 3): the lab
 * scores inside the graph (the model with its NLL and top-1 appended; on WASM the NLL is
 * ReduceLogSumExp − the target's logit), so the bare session that shows the lab's overhead must run
 * that same graph, not read every logit and reduce them in JS.
 *
 * The graph is built here, independently, from the model's bytes, as anyone could build it: no lab
 * code, only onnx-proto. It appends a serialized ModelProto holding only the scoring parts to the
 * model's bytes (protobuf merges a repeated field of a second message into the first), which is how
 * the lab builds it too; tests/bare-scored-graph.test.ts checks the two are the same bytes.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;
const INT = onnx.AttributeProto.AttributeType.INT;
const INTS = onnx.AttributeProto.AttributeType.INTS;

/** The graph's added input and outputs (the names the lab's evaluation graph uses). */
export const SCORED = Object.freeze({ targets: 'lab_targets', nll: 'lab_nll', top1: 'lab_top1', head: 'lab_head' });
/** Rows of logits the lab's graph also slices out (its backend-agreement check, read on the first window). */
const HEAD_ROWS = 32;

function op(opType: string, input: string[], output: string, attrs: Record<string, number | number[]> = {}) {
  const attribute = Object.entries(attrs).map(([name, v]) => (Array.isArray(v) ? { name, type: INTS, ints: v } : { name, type: INT, i: v }));
  return { opType, input, output: [output], name: `lab/${output}`, attribute };
}

const int64s = (name: string, values: number[]) =>
  ({ name, dims: [values.length], dataType: DT.INT64, rawData: new Uint8Array(BigInt64Array.from(values, BigInt).buffer) });

const tensorInfo = (name: string, elemType: number, dims: (number | string)[]) =>
  ({ name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } });

/** The default-domain opset the model imports (decoded whole: a demo model, once, untimed). */
function opsetOf(model: Uint8Array): number {
  const imports = onnx.ModelProto.decode(model).opsetImport ?? [];
  return Math.max(0, ...imports.filter((o) => !o.domain || o.domain === 'ai.onnx').map((o) => Number(o.version)));
}

/**
 * The model with lab_nll = logsumexp(logits) − logits[target] and lab_top1 = argmax (int32) per row,
 * plus lab_head (the first rows of logits), fed lab_targets int64 [1, S, 1]. ReduceLogSumExp takes
 * its axes as an input from opset 18, as an attribute before.
 */
export function bareScoredModel(model: Uint8Array): Uint8Array {
  const axesAsInput = opsetOf(model) >= 18;
  const logits = 'logits';
  const lse = axesAsInput ? op('ReduceLogSumExp', [logits, 'lab_axis_vocab'], 'lab_lse', { keepdims: 1 }) : op('ReduceLogSumExp', [logits], 'lab_lse', { axes: [2], keepdims: 1 });
  const graph = {
    node: [
      lse,
      op('GatherElements', [logits, SCORED.targets], 'lab_picked_logit', { axis: 2 }),
      op('Sub', ['lab_lse', 'lab_picked_logit'], SCORED.nll),
      op('ArgMax', [logits], 'lab_top1_64', { axis: 2, keepdims: 1 }),
      op('Cast', ['lab_top1_64'], SCORED.top1, { to: DT.INT32 }),
      op('Slice', [logits, 'lab_zero', 'lab_head_rows', 'lab_axis_seq'], SCORED.head),
    ],
    initializer: [int64s('lab_zero', [0]), int64s('lab_head_rows', [HEAD_ROWS]), int64s('lab_axis_seq', [1]), int64s('lab_axis_vocab', [2])],
    input: [tensorInfo(SCORED.targets, DT.INT64, [1, 'lab_seq', 1])],
    output: [
      tensorInfo(SCORED.nll, DT.FLOAT, [1, 'lab_seq', 1]),
      tensorInfo(SCORED.top1, DT.INT32, [1, 'lab_seq', 1]),
      tensorInfo(SCORED.head, DT.FLOAT, [1, 'lab_head_rows', 'lab_vocab']),
    ],
  };
  const extra = onnx.ModelProto.encode(onnx.ModelProto.create({ graph: onnx.GraphProto.create(graph as onnxProto.onnx.IGraphProto) })).finish();
  const out = new Uint8Array(model.length + extra.length);
  out.set(model);
  out.set(extra, model.length);
  return out;
}

export interface Window {
  begin: number;
  end: number;
  scoreFrom: number;
}

/** One window through the scored graph: the per-row NLLs (top-1 fetched too, and the head on the first window, as the lab does). */
export type RunScoredWindow = (ids: BigInt64Array, targets: BigInt64Array, head: boolean) => Promise<Float32Array>;

/**
 * Perplexity over the windows, the way the lab's loop (workers/eval/score.ts) feeds them: targets[t] =
 * the token after row t, the last row's a placeholder. Written again here on purpose: the bare
 * contestant runs no lab code, so a slow step in the lab's loop shows in the ratio.
 */
export async function scoredPerplexity(ids: ArrayLike<number>, windows: Window[], run: RunScoredWindow) {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < windows.length; i++) {
    const w = windows[i];
    const len = w.end - w.begin;
    const input = new BigInt64Array(len);
    const targets = new BigInt64Array(len);
    for (let t = 0; t < len; t++) {
      input[t] = BigInt(ids[w.begin + t]);
      targets[t] = t + 1 < len ? BigInt(ids[w.begin + t + 1]) : 0n;
    }
    const nll = await run(input, targets, i === 0);
    // row r predicts stream position begin + r + 1
    for (let pos = w.scoreFrom; pos < w.end; pos++, count++) sum += nll[pos - 1 - w.begin];
  }
  const meanNll = sum / count;
  return { ppl: Math.exp(meanNll), meanNll, tokensScored: count, windows: windows.length };
}
