/**
 * The main-thread side of the one door to the engine. It owns the module worker, wraps it with
 * comlink, and keeps the promise of every long job so that cancel always stops within a second:
 * first it asks the worker (`cancel(jobId)`, honoured between steps); if the job has not settled
 * after CANCEL_GRACE_MS it terminates the worker, starts a new one and reloads the current model.
 * The UI never talks to the worker except through this module.
 */
import * as Comlink from 'comlink';
import type {
  Capabilities, EvalResult, EvalSettings, InputFile, KernelDevice, LabApi, ModelSummary,
  ProgressFn, VariantSpec, VariantSummary,
} from '../../workers/api';
import { LabError, toLabError } from './errors';

/** How long a job may take to honour cancel before its worker is terminated. */
export const CANCEL_GRACE_MS = 900;

type ModelSource = { kind: 'demo'; name: string } | { kind: 'files'; files: InputFile[] };

interface PendingJob {
  reject: (e: LabError) => void;
  settled: Promise<void>;
}

export interface BridgeEvents {
  /** the worker was terminated and a new one is reloading the model */
  onRestarting?: () => void;
  /** the worker was replaced; `model` is the reloaded model (undefined if none or reload failed) */
  onRestart?: (model: ModelSummary | undefined, error?: LabError) => void;
}

/**
 * Start the engine worker. `?nogpu=1` is passed on in the worker's URL; the worker then hides
 * navigator.gpu. Vite only bundles a worker written as `new Worker(new URL('…', import.meta.url))`,
 * so the flag is added by a Worker subclass that edits the URL it is given.
 */
function spawnWorker(nogpu: boolean): Worker {
  class FlaggedWorker extends globalThis.Worker {
    constructor(url: URL, options?: WorkerOptions) {
      if (nogpu) url.searchParams.set('nogpu', '1');
      super(url, options);
    }
  }
  const Worker = FlaggedWorker;
  return new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
}

export class EngineBridge {
  private worker!: Worker;
  private api!: Comlink.Remote<LabApi>;
  private source?: ModelSource;
  private readonly jobs = new Map<string, PendingJob>();
  /** resolves when the (re)started worker has its model back; every call waits for it */
  private ready: Promise<void> = Promise.resolve();

  constructor(private readonly nogpu: boolean, private readonly events: BridgeEvents = {}) {
    this.start();
  }

  private start(): void {
    this.worker = spawnWorker(this.nogpu);
    this.worker.addEventListener('error', (e) => console.error('engine worker error', e.message ?? e));
    this.api = Comlink.wrap<LabApi>(this.worker);
  }

  private async call<T>(fn: (api: Comlink.Remote<LabApi>) => Promise<T>): Promise<T> {
    await this.ready;
    try {
      return await fn(this.api);
    } catch (e) {
      throw toLabError(e);
    }
  }

  capabilities(): Promise<Capabilities> {
    return this.call((api) => api.capabilities());
  }

  async loadDemo(name: string): Promise<ModelSummary> {
    const model = await this.call((api) => api.loadDemo(name));
    this.source = { kind: 'demo', name };
    return model;
  }

  /** Sends copies of the buffers (transferred) and keeps the originals for a reload after restart. */
  async loadFiles(files: InputFile[]): Promise<ModelSummary> {
    const sent = files.map((f) => ({ path: f.path, data: f.data.slice(0) }));
    const model = await this.call((api) => api.loadFiles(Comlink.transfer(sent, sent.map((f) => f.data))));
    this.source = { kind: 'files', files };
    return model;
  }

  makeVariant(modelId: string, spec: VariantSpec, device: KernelDevice, jobId: string, onProgress: ProgressFn): Promise<VariantSummary> {
    return this.track(jobId, (api) => api.makeVariant(modelId, spec, device, jobId, Comlink.proxy(onProgress)));
  }

  evaluate(modelId: string, variantId: string, settings: EvalSettings, jobId: string, onProgress: ProgressFn): Promise<EvalResult> {
    return this.track(jobId, (api) => api.evaluate(modelId, variantId, settings, jobId, Comlink.proxy(onProgress)));
  }

  /** A job's promise settles with the worker's answer, or rejects 'Cancelled' when cancel had to kill the worker. */
  private track<T>(jobId: string, fn: (api: Comlink.Remote<LabApi>) => Promise<T>): Promise<T> {
    let settle!: () => void;
    const settled = new Promise<void>((r) => (settle = r));
    return new Promise<T>((resolve, reject) => {
      this.jobs.set(jobId, { reject, settled });
      this.call(fn)
        .then(resolve, reject)
        .finally(() => {
          this.jobs.delete(jobId);
          settle();
        });
    });
  }

  isRunning(jobId: string): boolean {
    return this.jobs.has(jobId);
  }

  /** Ask the worker to stop the job; if it has not settled in CANCEL_GRACE_MS, restart the worker. */
  async cancel(jobId: string): Promise<void> {
    const job = this.jobs.get(jobId);
    if (!job) return;
    void this.api.cancel(jobId).catch(() => undefined);
    const timedOut = await Promise.race([
      job.settled.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), CANCEL_GRACE_MS)),
    ]);
    if (timedOut && this.jobs.has(jobId)) await this.restart('Cancelled', `job ${jobId} cancelled (worker restarted)`);
  }

  /** Terminate the worker, fail every pending job, start a fresh one and reload the current model. */
  async restart(code: 'Cancelled' | 'WorkerCrashed', why: string): Promise<void> {
    this.worker.terminate();
    this.api[Comlink.releaseProxy]();
    for (const [id, job] of this.jobs) {
      job.reject(new LabError(code, why));
      this.jobs.delete(id);
    }
    this.start();
    this.events.onRestarting?.();
    const source = this.source;
    let reload: Promise<ModelSummary | undefined> = Promise.resolve(undefined);
    if (source?.kind === 'demo') reload = this.api.loadDemo(source.name);
    else if (source?.kind === 'files') {
      const sent = source.files.map((f) => ({ path: f.path, data: f.data.slice(0) }));
      reload = this.api.loadFiles(Comlink.transfer(sent, sent.map((f) => f.data)));
    }
    // The reload runs in the background; calls made meanwhile wait for it (this.ready).
    this.ready = reload.then(
      (model) => this.events.onRestart?.(model),
      (e) => this.events.onRestart?.(undefined, toLabError(e)),
    );
  }
}
