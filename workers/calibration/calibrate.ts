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
import { CpuAccumulator, GpuAccumulator, statLength, type Accumulator } from './accumulator';
import { captureModel, linearInputs } from './capture-graph';
import type { CalibrationNeed, CalibrationSettings, CalibrationStats } from './types';

/** Statistics held at once (one pass); a 124 M GPT-2 block's four inputs need 45 MB of Hessians. */
export const MAX_PASS_BYTES = 192 * 2 ** 20;
/** Calibration sequences are at most this long (the model's context when shorter). */
export const CALIBRATION_CONTEXT = 256;

/** Runs a capture model: one sequence of ids in, the named f32 outputs out (in that order). */
export interface CaptureSession {
  run(ids: BigInt64Array): Promise<Float32Array[]>;
  close(): Promise<void>;
}
export type CaptureRunner = (modelBytes: Uint8Array, outputs: readonly string[]) => Promise<CaptureSession>;

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

interface Pass {
  inputs: { tensor: string; cols: number }[];
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

export interface CalibrationSource {
  settings: CalibrationSettings;
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
}

export function calibrationSource(model: LoadedModel, weights: readonly LinearWeight[], job: Job, opts: CalibrateOptions): CalibrationSource {
  const settings = calibrationSlice(model, opts.sequences, opts.text);
  const tokens = opts.text?.ids ?? model.datasetIds;
  const inputOf = linearInputs(model.parsed, weights);
  const distinct = new Map<string, number>();
  for (const w of weights) distinct.set(inputOf.get(w.name)!, linearView(w.shape, w.layout).inDim);
  const passes = planPasses([...distinct].map(([tensor, cols]) => ({ tensor, cols })), opts.need, opts.maxPassBytes);
  const passOf = new Map<string, number>();
  passes.forEach((p, k) => p.inputs.forEach((inp) => passOf.set(inp.tensor, k)));
  let held: { pass: number; stats: Map<string, CalibrationStats> } | undefined;
  let spent = 0;

  async function runPass(k: number): Promise<Map<string, CalibrationStats>> {
    const started = performance.now();
    const pass = passes[k];
    held = undefined; // drop the previous pass before allocating this one
    const names = pass.inputs.map((i) => i.tensor);
    const accs: Accumulator[] = pass.inputs.map((i) => (opts.gpu ? new GpuAccumulator(opts.gpu, opts.need, i.cols) : new CpuAccumulator(opts.need, i.cols)));
    const { sequences, context, firstToken } = settings;
    let session: CaptureSession | undefined;
    const label = `calibration pass ${k + 1}/${passes.length}: ${names.length} layer input${names.length > 1 ? 's' : ''}`;
    try {
      session = await opts.runner(captureModel(model.parsed, names), names);
      for (let s = 0; s < sequences; s++) {
        await job.checkpoint();
        const at = firstToken + s * context;
        const ids = BigInt64Array.from(tokens.subarray(at, at + context), (x) => BigInt(x));
        const outs = await session.run(ids);
        outs.forEach((x, j) => {
          const cols = pass.inputs[j].cols;
          if (x.length % cols) throw new Error(`${names[j]}: ${x.length} values are not rows of ${cols}`);
          accs[j].add(x, x.length / cols);
        });
        job.progress('calibrate', k * sequences + s + 1, passes.length * sequences, `${label}, sequence ${s + 1}/${sequences}`);
      }
    } catch (e) {
      for (const acc of accs) acc.dispose(); // a cancelled pass gives its GPU buffers back now
      throw e;
    } finally {
      await session?.close();
    }
    const stats = new Map<string, CalibrationStats>();
    for (let j = 0; j < accs.length; j++) {
      const stat = await accs[j].read();
      const { tensor, cols } = pass.inputs[j];
      stats.set(tensor, { input: tensor, rows: sequences * context, cols, ...(opts.need === 'hessian' ? { hessian: stat } : { colSqNorms: stat }) });
    }
    spent += performance.now() - started;
    return stats;
  }

  return {
    settings,
    passes: passes.length,
    ms: () => spent,
    begin(next: Job) {
      job = next;
      spent = 0;
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
