/**
 * Calibration: run the source model on N sequences of calibration tokens and accumulate, per
 * linear layer, a statistic of its inputs (the Hessian Xᵀ X for GPTQ, column norms ‖X_j‖² for
 * Wanda) without keeping the activations: each sequence's activations are added into the running
 * statistic and dropped.
 *
 * Memory stays bounded on large models: the layers' distinct inputs are cut into passes whose
 * statistics fit MAX_PASS_BYTES, and a pass is computed only when its first layer is asked for
 * (weights are compressed in graph order), after the previous pass's statistics were dropped. Each
 * pass runs the calibration set again through a capture model (capture-graph.ts) that outputs only
 * that pass's inputs.
 *
 * Activations come from the uncompressed model (GPTQ's "non-sequential" variant): every layer sees
 * the inputs the source model gives it. Deterministic: a fixed token slice, a fixed order.
 */
import type { LinearWeight } from '../api';
import type { Job } from '../jobs';
import type { LoadedModel } from '../model/load';
import { linearView } from '../compression/layout';
import { CpuAccumulator, GpuAccumulator, readAccumulators, statLength, type Accumulator } from './accumulator';
import { planBlockPasses, type Pass } from './block-passes';
import { captureModel, captureSubgraph, linearInputs } from './capture-graph';
import type { CalibrationNeed, CalibrationSettings, CalibrationStats } from './types';

/** Statistics held at once (one pass); a 124 M GPT-2 block's four inputs need 45 MB of Hessians. */
export const MAX_PASS_BYTES = 192 * 2 ** 20;
/**
 * Statistics held at once when passes follow the blocks (block-passes.ts): a pass there costs only
 * its own blocks' forward, so smaller passes are nearly free and keep less in memory (the 124 M
 * shape: a block's 43 MB a pass instead of four blocks' 171 MB). A model whose block is larger
 * plans with MAX_PASS_BYTES.
 */
export const BLOCK_PASS_BYTES = 64 * 2 ** 20;
/** Calibration sequences are at most this long (the model's context when shorter). */
export const CALIBRATION_CONTEXT = 256;

/** Runs a capture model: one sequence of ids in, the named f32 outputs out (in that order). */
export interface CaptureSession {
  /** `hidden`: tensors fed besides the ids (a pass that starts inside the model: the residual stream there, (1, ids, width)) */
  run(ids: BigInt64Array, hidden?: Record<string, Float32Array>): Promise<Float32Array[]>;
  close(): Promise<void>;
}
/**
 * `externalData`: the runner takes capture models whose big weights are external data (the bytes
 * tagged with their files, eval/external-data.ts: onnxruntime-web's `externalData` option), which
 * keeps them out of one big buffer (capture-graph.ts); runners without it get one self-contained model.
 */
export type CaptureRunner = ((modelBytes: Uint8Array, outputs: readonly string[]) => Promise<CaptureSession>) & { externalData?: boolean };

/** Calibration tokens other than the model's built-in text: a dropped .txt, tokenized (texts.ts). */
export interface CalibrationText {
  name: string;
  ids: Int32Array;
}

/**
 * The token slice: the last `sequences` × context tokens of the model's dataset or of the given
 * text (evaluation reads from the start). A text shorter than that gives fewer sequences, and says so.
 */
export function calibrationSlice(model: LoadedModel, sequences: number, text?: CalibrationText): CalibrationSettings {
  const ids = text?.ids ?? model.datasetIds;
  const dataset = text?.name ?? model.summary.datasetName;
  const context = Math.min(CALIBRATION_CONTEXT, model.summary.nPositions || CALIBRATION_CONTEXT, ids.length);
  const fit = Math.floor(ids.length / context);
  if (fit < 1 || context < 2) throw new Error(`${dataset} has ${ids.length} tokens, too few to calibrate`);
  const n = Math.min(sequences, fit);
  return { dataset, sequences: n, context, firstToken: ids.length - n * context };
}

/** Cuts the distinct inputs (in weight order) into passes of at most MAX_PASS_BYTES of statistics. */
export function planPasses(inputs: readonly { tensor: string; cols: number }[], need: CalibrationNeed, maxBytes = MAX_PASS_BYTES): Pass[] {
  const passes: Pass[] = [];
  let cur: Pass = { inputs: [] };
  let bytes = 0;
  for (const inp of inputs) {
    const b = statLength(need, inp.cols) * 4;
    if (cur.inputs.length && bytes + b > maxBytes) {
      passes.push(cur);
      cur = { inputs: [] };
      bytes = 0;
    }
    cur.inputs.push(inp);
    bytes += b;
  }
  if (cur.inputs.length) passes.push(cur);
  return passes;
}

/** Where calibration time went (ms, for the current job): capture = the capture model's runs, accumulate = the statistics (the GPU's work awaited per sequence), open = writing the capture model and opening its session. */
export interface CalibrationTiming {
  captureMs: number;
  accumulateMs: number;
  openMs: number;
}

export interface CalibrationSource {
  /** the passes' plan: each pass's layer inputs, and where a block pass starts and ends */
  readonly plan: readonly Pass[];
  /** the token slice, with the passes and where the time went so far (read when the variant's summary is written) */
  readonly settings: CalibrationSettings & CalibrationTiming & { passes: number };
  /** passes over the calibration set the statistics take (1 when they all fit MAX_PASS_BYTES) */
  passes: number;
  /** the statistics of a weight's input; computes its pass on first use and drops the previous one */
  statsFor(weight: string): Promise<CalibrationStats>;
  /** wall time spent calibrating for the current job (0 when its statistics were kept from an earlier one), ms */
  ms(): number;
  /** the job that reports progress and may cancel from now on (a kept source serves several variants) */
  begin(job: Job): void;
}

export interface CalibrateOptions {
  need: CalibrationNeed;
  sequences: number;
  /** WGSL accumulation on this device, else the TS reference */
  gpu?: GPUDevice;
  runner: CaptureRunner;
  maxPassBytes?: number;
  /** calibrate on this text instead of the model's built-in one */
  text?: CalibrationText;
  /** false: passes cut by bytes alone, each running the model from its start (the check that block passes change nothing) */
  blockPasses?: boolean;
}

export function calibrationSource(model: LoadedModel, weights: readonly LinearWeight[], job: Job, opts: CalibrateOptions): CalibrationSource {
  const settings = calibrationSlice(model, opts.sequences, opts.text);
  const tokens = opts.text?.ids ?? model.datasetIds;
  const inputOf = linearInputs(model.parsed, weights);
  const distinct = new Map<string, number>();
  for (const w of weights) distinct.set(inputOf.get(w.name)!, linearView(w.shape, w.layout).inDim);
  const maxBytes = opts.maxPassBytes ?? MAX_PASS_BYTES;
  const byBytes = planPasses([...distinct].map(([tensor, cols]) => ({ tensor, cols })), opts.need, maxBytes);
  // several passes: block by block where the model allows (block-passes.ts); one pass stays as it was
  const blocks = (budget: number) => planBlockPasses(model.parsed, weights, inputOf, opts.need, budget);
  const passes = (byBytes.length > 1 && opts.blockPasses !== false && (blocks(Math.min(maxBytes, BLOCK_PASS_BYTES)) || blocks(maxBytes))) || byBytes;
  // the residual stream where the next pass starts, per calibration sequence (captured by the pass before it)
  let residual: { at: string; bySequence: Float32Array[] } | undefined;
  const passOf = new Map<string, number>();
  passes.forEach((p, k) => p.inputs.forEach((inp) => passOf.set(inp.tensor, k)));
  let held: { pass: number; stats: Map<string, CalibrationStats> } | undefined;
  let spent = 0;
  let timing: CalibrationTiming = { captureMs: 0, accumulateMs: 0, openMs: 0 };
  const since = (t: number) => performance.now() - t;

  async function runPass(k: number): Promise<Map<string, CalibrationStats>> {
    const started = performance.now();
    const pass = passes[k];
    held = undefined; // drop the previous pass before allocating this one
    const names = pass.inputs.map((i) => i.tensor);
    // fed the residual stream at its first block when the pass before it captured it, else run from the ids
    const from = pass.from && residual?.at === pass.from ? residual : undefined;
    const outputs = pass.to && !names.includes(pass.to) ? [...names, pass.to] : names;
    const next: Float32Array[] = [];
    const accs: Accumulator[] = pass.inputs.map((i) => (opts.gpu ? new GpuAccumulator(opts.gpu, opts.need, i.cols) : new CpuAccumulator(opts.need, i.cols)));
    const { sequences, context, firstToken } = settings;
    let session: CaptureSession | undefined;
    const label = `calibration pass ${k + 1}/${passes.length}: ${names.length} layer input${names.length > 1 ? 's' : ''}`;
    try {
      job.progress('calibrate', k * sequences, passes.length * sequences, `${label}: opening the capture model`);
      let t = performance.now();
      const external = !!opts.runner.externalData;
      // not kept in a local: this frame lives until the pass ends, the bytes are needed only to open the session
      session = await opts.runner(pass.from || pass.to ? captureSubgraph(model.parsed, outputs, from?.at, external) : captureModel(model.parsed, names, external), outputs);
      timing.openMs += since(t);
      // the GPU accumulates one sequence while the next is captured (WASM in this worker): at most two
      // sequences' X in flight; accumulateMs is the time spent waiting for the GPU, not its whole work
      let accumulating: Promise<unknown> | undefined;
      const settle = async (done: number) => {
        const t0 = performance.now();
        await accumulating;
        timing.accumulateMs += since(t0);
        if (accumulating) job.progress('calibrate', k * sequences + done, passes.length * sequences, `${label}, sequence ${done}/${sequences}`);
      };
      for (let s = 0; s < sequences; s++) {
        await job.checkpoint();
        const at = firstToken + s * context;
        const ids = BigInt64Array.from(tokens.subarray(at, at + context), (x) => BigInt(x));
        t = performance.now();
        const outs = await session.run(ids, from && { [from.at]: from.bySequence[s] });
        timing.captureMs += since(t);
        if (pass.to) next.push(outs[outputs.indexOf(pass.to)]);
        await settle(s);
        job.progress('calibrate', k * sequences + s, passes.length * sequences, `${label}, sequence ${s + 1}/${sequences}: accumulating the statistics`);
        t = performance.now();
        names.forEach((_, j) => {
          const x = outs[j];
          const cols = pass.inputs[j].cols;
          if (x.length % cols) throw new Error(`${names[j]}: ${x.length} values are not rows of ${cols}`);
          accs[j].add(x, x.length / cols);
        });
        timing.accumulateMs += since(t);
        accumulating = Promise.all(accs.map((acc) => acc.flush()));
      }
      await settle(sequences);
    } catch (e) {
      for (const acc of accs) acc.dispose(); // a cancelled pass gives its GPU buffers back now
      throw e;
    } finally {
      await session?.close();
    }
    const stats = new Map<string, CalibrationStats>();
    const t = performance.now();
    // all of the pass's statistics in one read (one wait and few maps on the GPU, not one per layer input)
    const read = await readAccumulators(accs);
    for (let j = 0; j < accs.length; j++) {
      const stat = read[j];
      const { tensor, cols } = pass.inputs[j];
      stats.set(tensor, { input: tensor, rows: sequences * context, cols, ...(opts.need === 'hessian' ? { hessian: stat, colAbsSums: accs[j].absSums } : { colSqNorms: stat }) });
    }
    timing.accumulateMs += since(t);
    residual = pass.to ? { at: pass.to, bySequence: next } : undefined;
    spent += performance.now() - started;
    return stats;
  }

  return {
    get settings() {
      return { ...settings, passes: passes.length, ...timing };
    },
    passes: passes.length,
    plan: passes,
    ms: () => spent,
    begin(next: Job) {
      job = next;
      spent = 0;
      timing = { captureMs: 0, accumulateMs: 0, openMs: 0 };
    },
    async statsFor(weight: string): Promise<CalibrationStats> {
      const tensor = inputOf.get(weight);
      if (!tensor) throw new Error(`${weight} is not a calibrated linear weight`);
      const k = passOf.get(tensor)!;
      if (held?.pass !== k) held = { pass: k, stats: await runPass(k) };
      return held.stats.get(tensor)!;
    },
  };
}
