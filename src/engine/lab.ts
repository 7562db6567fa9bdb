/**
 * The app's actions: boot (capabilities + demo model), load dropped files, run the queue,
 * cancel. They drive the bridge and write into the store; components only call these and
 * select store fields.
 */
import type { Capabilities, InputFile } from '../../workers/api';
import { useLab } from '../store';
import { modelKeyOf } from '../store/types';
import { evalSettings, planJobs } from '../lib/plan';
import { EngineBridge } from './bridge';
import { EXPECTED, toLabError } from './errors';

export const DEMO_MODEL = 'brown-gpt2';

/** `?nogpu=1`: behave as if WebGPU were missing (the worker gets the flag in its URL too). */
export const NO_GPU = new URLSearchParams(location.search).get('nogpu') === '1';

const lab = () => useLab.getState();

const bridge = new EngineBridge(NO_GPU, {
  onRestarting: () => lab().setLoading('the model again (engine restarted)'),
  onRestart: (model, error) => {
    lab().setLoading(undefined);
    if (model) lab().setModel(model);
    if (error) lab().notify({ kind: 'error', title: `Reloading the model after a restart failed: ${error.message}`, detail: EXPECTED[error.code] });
  },
});

// For tests and the console: the live bridge and store.
(globalThis as { __lab?: unknown }).__lab = { bridge, store: useLab };

function withNoGpu(c: Capabilities): Capabilities {
  if (!NO_GPU) return c;
  return { ...c, webgpu: false, webgpuReason: 'disabled by the ?nogpu=1 URL flag' };
}

export async function boot(): Promise<void> {
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
  await loadDemo(DEMO_MODEL);
}

async function load(what: string, fn: () => ReturnType<EngineBridge['loadDemo']>): Promise<void> {
  lab().setLoading(what);
  try {
    const model = await fn();
    lab().setModel(model);
    lab().patchSettings({ context: undefined, stride: undefined });
    lab().notify({ kind: 'info', title: `Loaded ${model.name}` });
  } catch (e) {
    const err = toLabError(e);
    const kept = lab().model ? ` The previous model (${lab().model!.name}) stays loaded.` : '';
    lab().notify({ kind: 'error', title: `Could not load ${what}: ${err.message}.${kept}`, detail: EXPECTED[err.code] });
  } finally {
    lab().setLoading(undefined);
  }
}

export const loadDemo = (name: string) => load(`demo model "${name}"`, () => bridge.loadDemo(name));

export function loadFiles(files: InputFile[]): Promise<void> {
  if (files.length === 0) {
    lab().notify({ kind: 'error', title: 'No files were given.', detail: EXPECTED.MissingFile });
    return Promise.resolve();
  }
  const label = files.length === 1 ? files[0].path : `${files.length} files`;
  return load(label, () => bridge.loadFiles(files));
}

let currentJob: string | undefined;
let cancelRequested = false;

export async function run(): Promise<void> {
  const { model, settings, running } = lab();
  if (running || !model) return;
  const jobs = planJobs(settings);
  const modelKey = modelKeyOf(model);
  lab().setJobs(jobs);
  lab().setRunning(true);
  cancelRequested = false;
  const variantIds = new Map<string, { id: string; label: string }>([['baseline', { id: 'baseline', label: 'baseline' }]]);

  for (const job of jobs) {
    if (cancelRequested) break;
    const variant = variantIds.get(job.variantKey);
    if (job.kind === 'eval' && !variant) {
      lab().patchJob(job.id, { status: 'skipped', error: 'its variant was not made' });
      continue;
    }
    const modelId = lab().model?.id ?? model.id;
    const onProgress = lab().setProgress;
    lab().patchJob(job.id, { status: 'running', startedAt: Date.now() });
    currentJob = job.id;
    try {
      if (job.kind === 'variant') {
        const v = await bridge.makeVariant(modelId, job.spec!, settings.device, job.id, onProgress);
        variantIds.set(job.variantKey, { id: v.id, label: v.label });
        lab().addVariant({ ...v, modelKey });
      } else {
        const r = await bridge.evaluate(modelId, variant!.id, evalSettings(settings, model, job.backend!), job.id, onProgress);
        lab().addEval({ ...r, modelKey, variantLabel: variant!.label });
      }
      lab().patchJob(job.id, { status: 'done', endedAt: Date.now() });
    } catch (e) {
      const err = toLabError(e);
      if (err.code === 'Cancelled' || cancelRequested) {
        lab().patchJob(job.id, { status: 'cancelled', endedAt: Date.now(), error: err.message });
        break;
      }
      lab().patchJob(job.id, { status: 'failed', endedAt: Date.now(), error: err.message });
      lab().notify({ kind: 'error', title: `${job.label} failed: ${err.message}`, detail: EXPECTED[err.code] });
    }
  }
  currentJob = undefined;
  lab().closeOpenJobs('cancelled', 'cancelled by the user');
  lab().setRunning(false);
}

/** Stops the running job (within about a second, see bridge.cancel) and drops the queued ones. */
export async function cancel(): Promise<void> {
  if (!lab().running) return;
  cancelRequested = true;
  const job = currentJob;
  lab().closeOpenJobs('cancelled', 'cancelled by the user');
  if (job) await bridge.cancel(job);
}
