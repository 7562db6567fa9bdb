/**
 * Error propagation: how far a variant's hidden states drift from the base model's, block after
 * block. The residual stream between blocks (workers/model/blocks.ts: the inputs of each block's
 * first normalization and of the final norm) becomes extra graph outputs of both models — a
 * serialized ModelProto holding only those outputs is appended to the model's bytes, which protobuf
 * merges into the graph (as scored-graph.ts appends its scoring) — and both run on the same windows.
 * Per token t and boundary k, over the hidden vector (the last axis):
 *   d = ‖h_variant[t] − h_base[t]‖₂ / ‖h_base[t]‖₂
 * reported as the mean and the max over every token of the windows.
 * The base runs once per call and its hidden states are kept (windows × boundaries × tokens × hidden
 * floats: 2.6 MB for the demo LM's 2 windows); each variant then runs window by window.
 */
import { sameExternalData } from './external-data';
import type onnxProto from 'onnx-proto';
import type { Backend, BlockDivergence } from '../api';
import type { CaptureRunner } from '../calibration/calibrate';
import type { Job } from '../jobs';
import { blockOutputs, type BlockBoundary } from '../model/blocks';
import { onnx, type GraphProto } from '../model/onnx-graph';
import { closeSession, openSession, runOutputs } from './ort-runtime';

/** The model with `names` (f32 tensors of its graph) as extra outputs; the bytes are copied once, never decoded. */
export function withHiddenOutputs(bytes: Uint8Array, names: readonly string[]): Uint8Array {
  const output = names.map((name) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }));
  const graph = onnx.GraphProto.create({ output } as onnxProto.onnx.IGraphProto);
  const extra = onnx.ModelProto.encode(onnx.ModelProto.create({ graph })).finish();
  const out = new Uint8Array(bytes.length + extra.length);
  out.set(bytes);
  out.set(extra, bytes.length);
  return sameExternalData(out, bytes);
}

/** onnxruntime-web on one backend, one session per model, released after its windows. */
export function ortHiddenRunner(backend: Backend): CaptureRunner {
  let opened = 0;
  return async (bytes, outputs) => {
    const h = await openSession(`hidden-states-${++opened}`, backend, () => bytes);
    return { run: (ids) => runOutputs(h, ids, outputs), close: () => closeSession(h) };
  };
}

/** Running sums of one boundary's per-token divergence. */
interface Acc {
  sum: number;
  max: number;
  count: number;
}

/**
 * Adds the divergence of each of `tokens` hidden vectors (row-major, tokens × hidden) to `acc`.
 * A base vector of norm 0 counts as 0 when the variant's is 0 too, else as Infinity.
 */
export function addDivergence(acc: Acc, base: Float32Array, variant: Float32Array, tokens: number): void {
  if (base.length !== variant.length) throw new Error(`hidden states of ${base.length} and ${variant.length} floats: base and variant differ in shape`);
  if (tokens < 1 || base.length % tokens !== 0) throw new Error(`${base.length} floats are not ${tokens} tokens of one hidden size`);
  const hidden = base.length / tokens;
  for (let t = 0; t < tokens; t++) {
    let diff = 0;
    let norm = 0;
    for (let i = t * hidden; i < (t + 1) * hidden; i++) {
      const d = variant[i] - base[i];
      diff += d * d;
      norm += base[i] * base[i];
    }
    const r = diff === 0 ? 0 : Math.sqrt(diff) / Math.sqrt(norm);
    acc.sum += r;
    acc.count++;
    if (r > acc.max) acc.max = r;
  }
}

export interface PropagationTarget {
  id: string;
  /** what the progress line calls it */
  label: string;
  bytes: () => Uint8Array;
}

export interface PropagationOut {
  rule: string;
  boundaries: BlockBoundary[];
  results: { id: string; points: BlockDivergence[]; seconds: number }[];
}

/**
 * Base against each target on `windows` (token ids, one row each). `graph` is the base model's
 * graph (where the block outputs are found); the targets must hold tensors of the same names.
 */
export async function measurePropagation(
  graph: GraphProto, base: () => Uint8Array, targets: readonly PropagationTarget[], windows: readonly BigInt64Array[], runner: CaptureRunner, job: Job,
): Promise<PropagationOut> {
  const { boundaries, rule } = blockOutputs(graph);
  const names = boundaries.map((b) => b.tensor);
  const total = windows.length * (1 + targets.length);
  let done = 0;
  const step = (what: string) => job.progress('hidden states', ++done, total, what);
  job.progress('hidden states', 0, total, 'base model: starting');

  const baseStates: Float32Array[][] = [];
  const baseSession = await runner(withHiddenOutputs(base(), names), names);
  try {
    for (let w = 0; w < windows.length; w++) {
      await job.checkpoint();
      baseStates.push(await baseSession.run(windows[w]));
      step(`base model: window ${w + 1}/${windows.length}`);
    }
  } finally {
    await baseSession.close();
  }

  const results: PropagationOut['results'] = [];
  for (const t of targets) {
    await job.checkpoint();
    const started = performance.now();
    const accs: Acc[] = names.map(() => ({ sum: 0, max: 0, count: 0 }));
    const session = await runner(withHiddenOutputs(t.bytes(), names), names);
    try {
      for (let w = 0; w < windows.length; w++) {
        await job.checkpoint();
        const states = await session.run(windows[w]);
        states.forEach((h, k) => addDivergence(accs[k], baseStates[w][k], h, windows[w].length));
        step(`${t.label}: window ${w + 1}/${windows.length}`);
      }
    } finally {
      await session.close();
    }
    results.push({
      id: t.id,
      points: boundaries.map((b, k) => ({ ...b, mean: accs[k].sum / accs[k].count, max: accs[k].max })),
      seconds: (performance.now() - started) / 1000,
    });
  }
  return { rule, boundaries, results };
}
