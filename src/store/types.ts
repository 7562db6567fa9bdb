/**
 * Shapes the store keeps. Results are stored with a `modelKey` the UI derives from the model's
 * summary (name + sizes), so finished results persisted in IndexedDB still match the same model
 * after a reload even if the engine hands out a new model id.
 */
import type { Backend, EvalResult, KernelDevice, ModelSummary, Progress, SpeedResult, VariantSpec, VariantSummary } from '../../workers/api';

export const modelKeyOf = (m: ModelSummary): string => `${m.name}|${m.totalParams}|${m.onnxBytes}`;

/** 'interrupted': the page was reloaded or closed before the job ended (see store/index.ts). */
export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'skipped' | 'interrupted';

/** Statuses a "re-run unfinished" puts back in the queue. */
export const RERUNNABLE: readonly JobStatus[] = Object.freeze(['failed', 'cancelled', 'skipped', 'interrupted']);

export interface Job {
  id: string;
  /** 'speed': one interleaved compareSpeed over the run's models on one backend (after the evaluations) */
  kind: 'variant' | 'eval' | 'speed' | 'export';
  /** 'baseline' or the variant's spec key (see specKey); a speed job: 'speed' */
  variantKey: string;
  /** a speed job: the models it times, 'baseline' and spec keys */
  variantKeys?: string[];
  /** the run that planned the job: speed results of one run are compared with each other only */
  runId?: string;
  label: string;
  spec?: VariantSpec;
  /** kernel device of a variant job (CPU after a WebGPU device loss) */
  device?: KernelDevice;
  backend?: Backend;
  status: JobStatus;
  /** what happened besides the status, e.g. a retry on the CPU kernels */
  note?: string;
  progress?: Progress;
  startedAt?: number;
  endedAt?: number;
  error?: string;
}

export interface StoredVariant extends VariantSummary {
  modelKey: string;
}

export interface StoredEval extends EvalResult {
  modelKey: string;
  /** the variant's label at the time (baseline: 'baseline') */
  variantLabel: string;
}

/** One model's interleaved speed as stored; variantId is the stored variant's id (or 'baseline'). */
export interface StoredSpeed extends SpeedResult {
  modelKey: string;
  variantLabel: string;
  /** the run whose speed job measured it: figures of different runs were not timed together */
  runId: string;
}

export interface RunSettings {
  /**
   * The variants to make, in order (duplicates are planned once). Settings kept from before this
   * list existed had prune / pruneRatios / int8 / int4 / fp16 flags: store/settings.ts migrates them.
   */
  variants: VariantSpec[];
  device: KernelDevice;
  backends: Backend[];
  tokens: Record<Backend, number>;
  /** undefined: the model's n_positions */
  context?: number;
  /** undefined: same as context */
  stride?: number;
  throughputRuns: number;
  /**
   * The interleaved speed comparison after the evaluations (one compareSpeed job per backend).
   * Optional: settings kept from before it existed lack them (see speedSettings for defaults).
   * seqLen undefined: the evaluation context.
   */
  speed?: Record<Backend, { seqLen?: number; runs: number }>;
}

/**
 * WASM: the evaluation context, 7 runs. WebGPU: 64 tokens, 3 runs, because WebGPU on a software
 * adapter (SwiftShader, no GPU) takes seconds per prefill of the full context.
 */
export const DEFAULT_SPEED: Record<Backend, { seqLen?: number; runs: number }> = {
  wasm: { runs: 7 },
  webgpu: { seqLen: 64, runs: 3 },
};

export const DEFAULT_SETTINGS: RunSettings = {
  variants: [{ method: 'magnitude-prune', options: { ratio: 0.5 } }, { method: 'int8-channel', options: {} }],
  device: 'webgpu',
  backends: ['webgpu', 'wasm'],
  // the same tokens on both backends, so their perplexities compare; small enough for WebGPU on a
  // software adapter (~1 s per 256-token window of the demo LM on SwiftShader, twice that for a variant scored with its base)
  tokens: { wasm: 1024, webgpu: 1024 },
  throughputRuns: 3,
  speed: DEFAULT_SPEED,
};

/** The pruning ratios offered as quick toggles (data-testid prune-<ratio>). */
export const PRUNE_CHOICES = Object.freeze([0.1, 0.3, 0.5, 0.7, 0.9] as const);

/** The settings and model of the last run, kept so its unfinished jobs can be re-run after a reload. */
export interface LastRun {
  settings: RunSettings;
  modelKey: string;
  modelName: string;
}

export type Notice = { id: number; kind: 'error' | 'info'; title: string; detail?: string };
