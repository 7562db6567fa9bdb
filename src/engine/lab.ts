/**
 * The app's actions: boot (capabilities + demo model), load dropped files, run the queue
 * (make variants, evaluate, then time them interleaved), cancel. They drive the bridge and write into the store; components only call these and
 * select store fields.
 */
import type { Backend, Capabilities, InputFile, KernelDevice, LoadOptions, ModelSummary, ProgressFn, VariantSpec, VariantSummary } from '../../workers/api';
import { useLab } from '../store';
import { specKey } from '../store/results';
import { modelKeyOf, RERUNNABLE, type Job, type RunSettings } from '../store/types';
import { evalSettings, planJobs, speedSettings } from '../lib/plan';
import { EngineBridge } from './bridge';
import { withEvalText } from '../store/eval-text';
import { withExamplesFile } from '../store/examples-file';
import { EXPECTED, toLabError, type LabError } from './errors';
import { askTokenizerIfMissing } from '../store/tokenizer-ask';
import { readSetup } from '../lib/share';
import { sizeWarning } from '../lib/model-size';
import { graphsOfLastPick, readLastPickWith } from '../lib/files';

/** The default demo LM (width 64, 0.74 M parameters): the one whose answer to compression is closest to a large pretrained model's (its model card). */
export const DEMO_MODEL = 'brown-gpt2-tiny';
/** The two larger demo LMs (widths 128 and 256, same data, tokenizer and recipe): loaded after the default, they show how size changes the answer to compression. */
export const DEMO_MODEL_SMALL = 'brown-gpt2-mini';
export const DEMO_MODEL_LARGE = 'brown-gpt2';
/** The built-in genre classifier (BERT, 4 labels), one click away. */
export const DEMO_CLASSIFIER = 'brown-bert-genre';

/** `?nogpu=1`: behave as if WebGPU were missing (the worker gets the flag in its URL too). */
export const NO_GPU = new URLSearchParams(location.search).get('nogpu') === '1';

const lab = () => useLab.getState();

/** `?debug=1`: the worker's failure-simulation hooks answer (bridge.debug, for tests and the console). */
export const DEBUG = new URLSearchParams(location.search).get('debug') === '1';

let crashedAt: number | undefined;

/** `?wasmThreads=N`: fewer WASM threads than cores (a test hook, workers/capabilities.ts says why). */
const WASM_THREADS = new URLSearchParams(location.search).get('wasmThreads') ?? undefined;

const bridge = new EngineBridge({ nogpu: NO_GPU, debug: DEBUG, wasmThreads: WASM_THREADS }, {
  onCrash: (reason) => {
    crashedAt = performance.now();
    lab().notify({ kind: 'error', title: `The engine crashed: ${reason}.`, detail: 'A new engine is starting and the model is being reloaded; the job that was running is marked failed and can be re-run.' });
  },
  onRestarting: () => {
    lab().setEngine('restarting');
    lab().setLoading('the model again (engine restarted)');
  },
  onRestart: (model, error) => {
    lab().setLoading(undefined);
    lab().setEngine('ready');
    if (model) lab().setModel(model);
    if (error) lab().notify({ kind: 'error', title: `Reloading the model after a restart failed: ${error.message}`, detail: EXPECTED[error.code] });
    else if (crashedAt !== undefined && model) {
      lab().notify({ kind: 'info', title: `Engine restarted and ${model.name} reloaded in ${((performance.now() - crashedAt) / 1000).toFixed(1)} s.` });
    }
    crashedAt = undefined;
  },
});

/** The one bridge; src/engine/export.ts also calls through it. */
export { bridge };

// For tests and the console: the live bridge and store.
(globalThis as { __lab?: unknown }).__lab = { bridge, store: useLab };

function withNoGpu(c: Capabilities): Capabilities {
  if (!NO_GPU) return c;
  return { ...c, webgpu: false, webgpuReason: 'disabled by the ?nogpu=1 URL flag' };
}

export async function boot(): Promise<void> {
  // a shared setup first, so the WebGPU check below applies to it too
  const shared = readSetup(location.search);
  if (shared) {
    lab().patchSettings(shared.settings);
    if (shared.dropped.length) lab().notify({ kind: 'error', title: 'Part of the shared setup could not be used.', detail: shared.dropped.join('; ') });
  }
  try {
    const caps = withNoGpu(await bridge.capabilities());
    lab().setCapabilities(caps);
    if (!caps.webgpu) {
      const s = lab().settings;
      lab().patchSettings({ device: 'cpu', backends: s.backends.filter((b) => b !== 'webgpu').concat(s.backends.includes('wasm') ? [] : ['wasm']) });
    }
  } catch (e) {
    const err = toLabError(e);
    lab().notify({ kind: 'error', title: `Could not query the engine: ${err.message}` });
  }
  lab().setEngine('ready');
  await loadDemo(DEMO_MODEL);
  // loading a model resets context and stride to the model's own; the link's win
  if (shared) lab().patchSettings({ context: shared.settings.context, stride: shared.settings.stride });
}

async function load(what: string, fn: () => ReturnType<EngineBridge['loadDemo']>, after?: (err?: LabError) => void): Promise<void> {
  lab().setLoading(what);
  try {
    const model = await fn();
    after?.();
    lab().setModel(model);
    const norm = (p: string) => p.replace(/\\/g, '/').replace(/^\.?\//, '');
    lab().setOtherGraphs(model.source === 'files' ? graphsOfLastPick().filter((g) => norm(g) !== model.onnxPath) : []);
    lab().patchSettings({ context: undefined, stride: undefined });
    lab().notify({ kind: 'info', title: `Loaded ${model.name}` });
  } catch (e) {
    const err = toLabError(e);
    after?.(err);
    const kept = lab().model ? ` The previous model (${lab().model!.name}) stays loaded.` : '';
    lab().notify({ kind: 'error', title: `Could not load ${what}: ${err.message}.${kept}`, detail: EXPECTED[err.code] });
  } finally {
    lab().setLoading(undefined);
  }
}

export const loadDemo = (name: string) => load(`demo model "${name}"`, () => bridge.loadDemo(name));

/** Reads what the user picked or dropped, then loads it; a problem found while reading (too large) is said like a load error. */
export async function loadPicked(read: () => Promise<InputFile[]>): Promise<void> {
  let files: InputFile[];
  try {
    files = await read();
  } catch (e) {
    const err = toLabError(e);
    const kept = lab().model ? ` The current model (${lab().model!.name}) stays loaded.` : '';
    lab().notify({ kind: 'error', title: `Could not load these files: ${err.message}.${kept}`, detail: EXPECTED[err.code] });
    return;
  }
  const memory = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
  const warning = sizeWarning(files.map((f) => ({ path: f.path, size: f.data instanceof Blob ? f.data.size : f.data.byteLength })), memory);
  if (warning) lab().notify({ kind: 'info', title: `Loading anyway: ${warning}.` });
  await loadFiles(files);
}

/** Loads another graph of the folder last given (e.g. model_fp16.onnx beside model.onnx), reading only its files. */
export const loadOtherGraph = (graph: string) => loadPicked(() => readLastPickWith(graph));

/** `options.tokenizer`: a built-in tokenizer for files without tokenizer.json; such files without one open the tokenizer picker (tokenizer-ask.ts). */
export function loadFiles(files: InputFile[], options?: LoadOptions): Promise<void> {
  if (files.length === 0) {
    lab().notify({ kind: 'error', title: 'No files were given.', detail: EXPECTED.MissingFile });
    return Promise.resolve();
  }
  const label = files.length === 1 ? files[0].path : `${files.length} files`;
  return load(label, () => bridge.loadFiles(files, options), (err) => askTokenizerIfMissing(files, err));
}

let currentJob: string | undefined;
let cancelRequested = false;

/**
 * Variants made in this page, by variant key; only valid in the worker generation that made them.
 * `id` is the worker's id; `storedId` the id the store (and every stored result) knows the variant
 * by, which stays when a restart makes the variant again under a new worker id.
 */
export interface MadeVariant {
  id: string; label: string; generation: number; modelKey: string; storedId: string;
  /** of the packed model this worker holds: equal to the stored ones when the remake is the same model */
  packedBytes: number; gzipBytes: number;
}
const made = new Map<string, MadeVariant>();

/**
 * The variant as this worker knows it, made again (same spec, same kernels) when this worker does not have it.
 * `refresh`: ask the worker even when this page made it, because the worker keeps only its most recently
 * used variants (asking for a kept one is a lookup that marks it used; a dropped one is made again).
 */
export async function ensureVariant(
  key: string, spec: VariantSpec, device: KernelDevice, modelId: string, modelKey: string, jobId: string, onProgress: ProgressFn, refresh = false,
): Promise<MadeVariant> {
  const have = made.get(key);
  if (!refresh && have && have.generation === bridge.generation && have.modelKey === modelKey) return have;
  const stored = have?.modelKey === modelKey ? have.storedId
    : lab().variants.find((v) => v.modelKey === modelKey && v.device === device && specKey(v) === key)?.id;
  const v = await bridge.makeVariant(modelId, spec, device, jobId, onProgress);
  if (!stored) lab().addVariant({ ...v, modelKey });
  const m = { id: v.id, label: v.label, generation: bridge.generation, modelKey, storedId: stored ?? v.id, packedBytes: v.packedBytes, gzipBytes: v.gzipBytes };
  made.set(key, m);
  return m;
}

/** The variant a job evaluates or times (made again if this worker does not have it); a string says why there is none. */
async function variantFor(key: string, job: Job, settings: RunSettings, modelId: string, modelKey: string, refresh = false): Promise<Pick<MadeVariant, 'id' | 'label' | 'storedId'> | string> {
  if (key === 'baseline') return { id: 'baseline', label: 'baseline', storedId: 'baseline' };
  const maker = lab().jobs.find((j) => j.kind === 'variant' && j.variantKey === key);
  if (!maker?.spec || maker.status !== 'done') return `${maker ? maker.label.split(' · ')[0] : key}: its variant was not made`;
  return ensureVariant(key, maker.spec, maker.device ?? settings.device, modelId, modelKey, job.id, lab().setProgress, refresh);
}

/** One interleaved speed comparison of the run's models on one backend; a string says why it was skipped. */
async function timeSpeed(job: Job, settings: RunSettings, model: ModelSummary, modelId: string, modelKey: string): Promise<string | undefined> {
  const targets: Exclude<Awaited<ReturnType<typeof variantFor>>, string>[] = [];
  const missing: string[] = [];
  for (const key of job.variantKeys ?? ['baseline']) {
    // a group of up to 8 models: each asked for right before, so the worker holds them all
    const v = await variantFor(key, job, settings, modelId, modelKey, true);
    if (typeof v === 'string') missing.push(v);
    else targets.push(v);
  }
  // timing a subset would not be the comparison that was asked for; a re-run times them all
  if (missing.length) return `not timed: ${missing.join('; ')}`;
  const results = await bridge.compareSpeed(modelId, targets.map((t) => t.id), speedSettings(settings, model, job.backend!), job.id, lab().setProgress);
  const byId = new Map(targets.map((t) => [t.id, t]));
  lab().addSpeeds(results.map((r) => ({
    ...r,
    variantId: byId.get(r.variantId)?.storedId ?? r.variantId,
    interleavedWith: r.interleavedWith.map((id) => byId.get(id)?.storedId ?? id),
    modelKey,
    variantLabel: byId.get(r.variantId)?.label ?? r.variantId,
    runId: job.runId ?? job.id,
  })));
  return undefined;
}

/** Plans the jobs of the current settings and runs them. */
export async function run(): Promise<void> {
  const { model, settings, running } = lab();
  if (running || !model) return;
  lab().setJobs(planJobs(settings));
  lab().setLastRun({ settings, modelKey: modelKeyOf(model), modelName: model.name });
  await runQueue(settings);
}

/** Why the last run's unfinished jobs cannot be re-run now (undefined: they can). */
export function rerunBlocker(): string | undefined {
  const { model, lastRun, running, loading } = lab();
  if (running) return 'a run is going on';
  if (loading) return 'a model is loading';
  if (!lastRun) return 'the settings of that run were not kept';
  if (!model || modelKeyOf(model) !== lastRun.modelKey) return `load ${lastRun.modelName} first`;
  return undefined;
}

/** The last run's jobs that `pick` chooses go back in the queue (when nothing blocks it) and run. */
async function requeue(pick: (j: Job) => boolean): Promise<void> {
  const why = rerunBlocker();
  if (why) {
    lab().notify({ kind: 'error', title: `Cannot re-run: ${why}.` });
    return;
  }
  for (const j of lab().jobs) {
    if (pick(j)) lab().patchJob(j.id, { status: 'queued', error: undefined, note: undefined, progress: undefined, startedAt: undefined, endedAt: undefined });
  }
  await runQueue(lab().lastRun!.settings);
}

/** One click after a reload, a crash or a cancel: the last run's unfinished jobs go back in the queue. */
export const rerun = (): Promise<void> => requeue((j) => RERUNNABLE.includes(j.status));

/**
 * Retry of one failed job (its line's button): it goes back in the queue with the jobs skipped
 * because of it (a variant's evaluations and speed comparisons wait for the variant to be made).
 */
export function retryJob(id: string): Promise<void> {
  const failed = lab().jobs.find((j) => j.id === id && j.status === 'failed');
  if (!failed) return Promise.resolve();
  return requeue((j) => j.id === id || (j.status === 'skipped' && (j.variantKey === failed.variantKey || !!j.variantKeys?.includes(failed.variantKey))));
}

/**
 * Makes a variant; when the WebGPU device is lost on the way, or a WGSL kernel fails (a compile
 * error or a binding mismatch WebGPU reported: 'GpuKernelFailed'), says so and makes it on the CPU kernels.
 */
async function makeWithFallback(job: Job, settings: RunSettings, modelId: string): Promise<VariantSummary> {
  const device = job.device ?? settings.device;
  try {
    return await bridge.makeVariant(modelId, job.spec!, device, job.id, lab().setProgress);
  } catch (e) {
    const err = toLabError(e);
    const lost = err.code === 'GpuDeviceLost';
    if ((!lost && err.code !== 'GpuKernelFailed') || device !== 'webgpu' || cancelRequested) throw err;
    const note = `${lost ? 'WebGPU device lost' : 'WebGPU kernel failed'} (${err.message}); retried on the CPU kernels`;
    const next = lost ? 'The next WebGPU job asks the browser for a new device.' : 'The next WebGPU job tries the WGSL kernels again.';
    lab().notify({ kind: 'error', title: `${job.label}: ${note}.`, detail: `Finished results are kept. ${next}` });
    lab().patchJob(job.id, { device: 'cpu', note, progress: undefined });
    return bridge.makeVariant(modelId, job.spec!, 'cpu', job.id, lab().setProgress);
  }
}

/**
 * Runs an evaluation or a classification on the job's backend; when onnxruntime-web's WebGPU device
 * is lost on the way, says so and runs it on WASM with the run's WASM settings (the WebGPU numbers
 * would be half a run). The worker asks for a new device for the next WebGPU job.
 */
async function wasmIfGpuLost<T>(job: Job, what: string, run: (backend: Backend) => Promise<T>): Promise<T> {
  try {
    return await run(job.backend!);
  } catch (e) {
    const err = toLabError(e);
    if (err.code !== 'GpuDeviceLost' || job.backend !== 'webgpu' || cancelRequested) throw err;
    const note = `WebGPU device lost during ${what} (${err.message}); ran on WASM instead`;
    lab().notify({ kind: 'error', title: `${job.label}: ${note}.`, detail: 'Finished results are kept. The next WebGPU job runs on a new device.' });
    lab().patchJob(job.id, { backend: 'wasm', note, progress: undefined });
    return run('wasm');
  }
}

async function runQueue(settings: RunSettings): Promise<void> {
  const model = lab().model;
  if (!model || lab().running) return;
  const modelKey = modelKeyOf(model);
  lab().setRunning(true);
  cancelRequested = false;
  for (;;) {
    if (cancelRequested) break;
    const job = lab().jobs.find((j) => j.status === 'queued');
    if (!job) break;
    const modelId = lab().model?.id ?? model.id;
    lab().patchJob(job.id, { status: 'running', startedAt: Date.now(), device: job.kind === 'variant' ? (job.device ?? settings.device) : undefined });
    currentJob = job.id;
    try {
      if (job.kind === 'variant') {
        const v = await makeWithFallback(job, settings, modelId);
        made.set(job.variantKey, { id: v.id, label: v.label, generation: bridge.generation, modelKey, storedId: v.id, packedBytes: v.packedBytes, gzipBytes: v.gzipBytes });
        lab().addVariant({ ...v, modelKey });
      } else if (job.kind === 'speed') {
        const skipped = await timeSpeed(job, settings, model, modelId, modelKey);
        if (skipped) {
          lab().patchJob(job.id, { status: 'skipped', error: skipped, endedAt: Date.now() });
          continue;
        }
      } else {
        const variant = await variantFor(job.variantKey, job, settings, modelId, modelKey);
        if (typeof variant === 'string') {
          lab().patchJob(job.id, { status: 'skipped', error: variant, endedAt: Date.now() });
          continue;
        }
        if (model.task === 'sequence-classification') {
          // a classifier is scored on its labelled examples, not by perplexity
          const c = await wasmIfGpuLost(job, 'classification', (backend) => bridge.classify(modelId, variant.id, withExamplesFile({ backend }), job.id, lab().setProgress));
          lab().addClassification({ ...c, variantId: variant.storedId, modelKey, variantLabel: variant.label });
          lab().patchJob(job.id, { status: 'done', endedAt: Date.now() });
          continue;
        }
        const r = await wasmIfGpuLost(job, 'evaluation', (backend) => bridge.evaluate(modelId, variant.id, withEvalText(evalSettings(settings, model, backend)), job.id, lab().setProgress));
        // stored under the id the table knows, also when a restart made the variant again
        lab().addEval({ ...r, variantId: variant.storedId, modelKey, variantLabel: variant.label });
      }
      lab().patchJob(job.id, { status: 'done', endedAt: Date.now() });
    } catch (e) {
      const err = toLabError(e);
      if (err.code === 'Cancelled' || cancelRequested) {
        lab().patchJob(job.id, { status: 'cancelled', endedAt: Date.now(), error: err.message });
        break;
      }
      lab().patchJob(job.id, { status: 'failed', endedAt: Date.now(), error: err.message });
      if (err.code !== 'WorkerCrashed') {
        lab().notify({ kind: 'error', title: `${job.label} failed: ${err.message}`, detail: EXPECTED[err.code] });
        continue;
      }
      // the rest goes on in the new worker once it has the model back
      await bridge.whenReady();
      if (bridge.reloadError) {
        lab().closeOpenJobs('cancelled', `not run: the engine restarted without the model (${bridge.reloadError.message})`);
        break;
      }
    }
  }
  currentJob = undefined;
  lab().closeOpenJobs('cancelled', 'cancelled by the user');
  lab().setRunning(false);
  lab().setCancelling(false);
}

/** Stops the running job (within about a second, see bridge.cancel) and drops the queued ones. */
export async function cancel(): Promise<void> {
  if (!lab().running || cancelRequested) return;
  cancelRequested = true;
  const job = currentJob;
  lab().closeOpenJobs('cancelled', 'cancelled by the user');
  lab().setCancelling(true);
  if (job) await bridge.cancel(job);
}
