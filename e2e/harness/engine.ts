/**
 * Test page for the engine worker: starts it the way the UI does and puts a small object on
 * window.harness that e2e/engine.spec.ts calls with page.evaluate. Progress events are kept in
 * harness.progress; errors come back as { name, message } so the spec can check codes.
 */
import * as Comlink from 'comlink';
import { outcome } from './outcome';
import { readChecked } from '../../src/lib/files';
import type { DebugKind, WorkerApi } from '../../workers/engine.worker';
import type { ClassifySettings, DecodeSpeedSettings, EvalResult, GenerateSettings, PrefillSpeedSettings, EvalSettings, KernelDevice, Progress, SpeedSettings, VariantSpec } from '../../workers/api';

const params = new URL(location.href).searchParams;
const url = new URL('../../workers/engine.worker.ts', import.meta.url);
if (params.get('nogpu') === '1') url.searchParams.set('nogpu', '1');
if (params.get('debug') === '1') url.searchParams.set('debug', '1');
// the make's copy yardstick (workers/variants/copy-yardstick.ts), for the bench
if (params.get('copyYardstick') === '1') url.searchParams.set('copyYardstick', '1');
// forced WebGPU limits (workers/capabilities.ts forcedGpuLimits), handed on to the worker
for (const k of ['maxBufferSize', 'maxStorageBufferBindingSize']) if (params.has(k)) url.searchParams.set(k, params.get(k)!);
const worker = new Worker(url, { type: 'module', name: 'engine' });
const api = Comlink.wrap<WorkerApi>(worker);
const progress: Progress[] = [];
const onProgress = Comlink.proxy((p: Progress) => {
  progress.push(p);
  document.getElementById('log')!.textContent = `${p.phase} ${p.done}/${p.total} eta ${p.etaS?.toFixed(1) ?? '?'} s ${p.message ?? ''}`;
});


let jobs = 0;
const harness = {
  api,
  progress,
  capabilities: () => api.capabilities(),
  /** the worker's failure hooks (engine.worker.ts; the page needs ?debug=1) */
  debug: (kind: DebugKind) => outcome(api.debug(kind)),
  loadDemo: (name: string) => outcome(api.loadDemo(name)),
  /** fetches a model folder served by the dev server (e.g. /.cache/models/gpt2-small/) and hands its bytes over */
  loadFolder: async (baseUrl: string, paths: string[]) => {
    const files = await Promise.all(paths.map(async (path) => {
      const r = await fetch(baseUrl + path);
      if (!r.ok) throw new Error(`HTTP ${r.status} for ${baseUrl + path}`);
      return { path, data: await r.arrayBuffer() };
    }));
    return outcome(api.loadFiles(Comlink.transfer(files, files.map((f) => f.data))));
  },
  /**
   * The files on <input id="pick"> (set by Playwright's setInputFiles: Files backed by the disk, as
   * a drop gives them) under `paths`, sent as the page sends a drop (src/lib/files.ts readChecked:
   * a big .onnx and data files as handles, never read here)
   */
  loadPicked: async (paths: string[]) => {
    const files = Array.from((document.getElementById('pick') as HTMLInputElement).files ?? []);
    const sent = await readChecked(files.map((file, i) => ({ path: paths[i], file })), false);
    return outcome(api.loadFiles(Comlink.transfer(sent, sent.flatMap((f) => (f.data instanceof ArrayBuffer ? [f.data] : [])))));
  },
  evaluate: (modelId: string, variantId: string, settings: EvalSettings, jobId = `job-${++jobs}`) =>
    outcome(api.evaluate(modelId, variantId, settings, jobId, onProgress)),
  prefillSpeed: (modelId: string, variantId: string, settings: PrefillSpeedSettings, jobId = `job-${++jobs}`) =>
    outcome(api.prefillSpeed(modelId, variantId, settings, jobId, onProgress)),
  decodeSpeed: (modelId: string, variantId: string, settings: DecodeSpeedSettings, jobId = `job-${++jobs}`) =>
    outcome(api.decodeSpeed(modelId, variantId, settings, jobId, onProgress)),
  generate: (modelId: string, variantId: string, settings: GenerateSettings, jobId = `job-${++jobs}`) =>
    outcome(api.generate(modelId, variantId, settings, jobId, onProgress)),
  classify: (modelId: string, variantId: string, settings: ClassifySettings, jobId = `job-${++jobs}`) =>
    outcome(api.classify(modelId, variantId, settings, jobId, onProgress)),
  makeVariant: (modelId: string, spec: VariantSpec, device: KernelDevice, jobId = `job-${++jobs}`) =>
    outcome(api.makeVariant(modelId, spec, device, jobId, onProgress)),
  compareSpeed: (modelId: string, ids: string[], settings: SpeedSettings, jobId = `job-${++jobs}`) =>
    outcome(api.compareSpeed(modelId, ids, settings, jobId, onProgress)),
  /** the export zip as base64 (page.evaluate carries strings well), with its file list */
  exportVariant: async (modelId: string, variantId: string, results: EvalResult[], jobId = `job-${++jobs}`) => {
    const r = await outcome(api.exportVariant(modelId, variantId, { results }, jobId, onProgress));
    if (!r.ok) return r;
    const { zip, ...rest } = r.value;
    let bin = '';
    for (let i = 0; i < zip.length; i += 0x8000) bin += String.fromCharCode(...zip.subarray(i, i + 0x8000));
    return { ok: true as const, value: { ...rest, base64: btoa(bin) } };
  },
  /** ep-forms.worker.ts: which packed forms `backend` runs, one tiny graph each (e2e/packed.spec.ts) */
  probeForms: async (backend: 'wasm' | 'webgpu') => {
    const w = new Worker(new URL('./ep-forms.worker.ts', import.meta.url), { type: 'module', name: 'ep-forms' });
    try {
      return await outcome(Comlink.wrap<{ probe(b: string): Promise<unknown> }>(w).probe(backend));
    } finally {
      w.terminate();
    }
  },
  /** starts an evaluation, cancels it once its first window is done, returns how it ended */
  evaluateThenCancel: async (modelId: string, settings: EvalSettings) => {
    const jobId = `cancel-${++jobs}`;
    const cb = Comlink.proxy((p: Progress) => {
      progress.push(p);
      if (p.phase === 'perplexity' && p.done >= 1) void api.cancel(jobId);
    });
    return outcome(api.evaluate(modelId, 'baseline', settings, jobId, cb));
  },
};
(window as unknown as { harness: typeof harness }).harness = harness;
