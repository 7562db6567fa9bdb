/**
 * The main-thread side of the one door to the engine. It owns the module worker, wraps it with
 * comlink, and keeps the promise of every call so that none can wait forever:
 * - cancel: first it asks the worker (`cancel(jobId)`, honoured between steps); if the job has
 *   not settled after CANCEL_GRACE_MS it terminates the worker, starts a new one and reloads the
 *   current model.
 * - crash: the worker's `error` and `messageerror` events, and a heartbeat (a `ping` every
 *   HEARTBEAT_EVERY_MS; no message from the worker for 15 s when idle, 60 s while a job runs,
 *   120 s while a model loads, means it died without a word, e.g. self.close() or an
 *   out-of-memory kill), reject every pending call with
 *   'WorkerCrashed' and the reason, then the same restart + reload runs.
 * The UI never talks to the worker except through this module.
 */
import * as Comlink from 'comlink';
import type {
  Capabilities, ClassificationResult, ClassifySettings, DecodeSpeedResult, DecodeSpeedSettings, PrefillSpeedResult, PrefillSpeedSettings, EvalResult, EvalSettings, GenerateSettings, GenerationResult, ExportedVariant, ExportMeasurements, InputFile, KernelDevice, LoadOptions, ModelSummary,
  ProgressFn, SpeedResult, SpeedSettings, VariantSpec, VariantSummary,
} from '../../workers/api';
import type { DebugKind, WorkerApi } from '../../workers/engine.worker';
import type { ErrorPropagationResult, ErrorPropagationSettings } from '../../workers/api';
import { LabError, toLabError } from './errors';
import { calibrationTextsOf } from '../store/calibration-text';

/** How long a job may take to honour cancel before its worker is terminated. */
export const CANCEL_GRACE_MS = 600;
/** How often the bridge pings the worker. */
export const HEARTBEAT_EVERY_MS = 1000;
/**
 * Silence after which a worker counts as dead. A worker busy in one long synchronous step
 * (parsing a big model, one ORT run) is silent too, so this is generous, is stretched while a
 * model loads, and doubles after each heartbeat restart (up to MAX_HEARTBEAT_TIMEOUT_MS).
 */
export const HEARTBEAT_TIMEOUT_MS = 15_000;
/** The same while a job runs: one CPU kernel on a big tensor, or writing a big variant, is one step. */
export const JOB_HEARTBEAT_TIMEOUT_MS = 60_000;
const LOAD_HEARTBEAT_TIMEOUT_MS = 120_000;
/**
 * A job's silence on a model grows with its largest linear weight (one CPU kernel call): 1 ms per
 * 1,000 weights on top. GPT-2's 50257 x 2048 head (103 M) took 49 s in one INT4 call on a loaded
 * 2-core machine (e2e/big-model.spec.ts), close to the 60 s that made the first run a "crash".
 */
const jobSilenceFor = (m: ModelSummary) => JOB_HEARTBEAT_TIMEOUT_MS + Math.max(0, ...m.linearWeights.map((w) => w.params)) / 1000;
const MAX_HEARTBEAT_TIMEOUT_MS = 300_000;
/** Crashes within CRASH_WINDOW_MS after which the model is not reloaded automatically. */
const MAX_CRASHES = 3;
const CRASH_WINDOW_MS = 60_000;

/** What can be transferred of the files sent: their buffers (a File handle is cloned, which copies no bytes). */
const buffersOf = (files: InputFile[]): ArrayBuffer[] => files.flatMap((f) => (f.data instanceof ArrayBuffer ? [f.data] : []));

type ModelSource = { kind: 'demo'; name: string } | { kind: 'files'; files: InputFile[]; options?: LoadOptions };

interface PendingJob {
  reject: (e: LabError) => void;
  settled: Promise<void>;
}

/** One worker's life: its comlink proxy and a promise that rejects when it is gone. */
interface Generation {
  n: number;
  worker: Worker;
  api: Comlink.Remote<WorkerApi>;
  /** rejects (with the reason every pending call gets) once this worker is terminated */
  gone: Promise<never>;
  kill: (e: LabError) => void;
  dead: boolean;
  lastSeen: number;
  pinging: boolean;
  timer: ReturnType<typeof setInterval>;
}

export interface BridgeEvents {
  /** the worker crashed (or stopped answering); a restart follows at once */
  onCrash?: (reason: string) => void;
  /** the worker was terminated and a new one is reloading the model */
  onRestarting?: () => void;
  /** the worker was replaced; `model` is the reloaded model (undefined if none or reload failed) */
  onRestart?: (model: ModelSummary | undefined, error?: LabError) => void;
}

export interface WorkerFlags {
  /** hide WebGPU from the worker */
  nogpu?: boolean;
  /** enable the worker's failure-simulation hooks */
  debug?: boolean;
  /** fewer WASM threads than cores (`?wasmThreads=N`, workers/capabilities.ts) */
  wasmThreads?: string;
}

/**
 * Start the engine worker. Flags (`?nogpu=1`, `?debug=1`, `?wasmThreads=N`) are passed on in the worker's URL.
 * Vite only bundles a worker written as `new Worker(new URL('…', import.meta.url))`, so the
 * flags are added by a Worker subclass that edits the URL it is given.
 */
function spawnWorker(flags: WorkerFlags): Worker {
  class FlaggedWorker extends globalThis.Worker {
    constructor(url: URL, options?: WorkerOptions) {
      if (flags.nogpu) url.searchParams.set('nogpu', '1');
      if (flags.debug) url.searchParams.set('debug', '1');
      if (flags.wasmThreads) url.searchParams.set('wasmThreads', flags.wasmThreads);
      super(url, options);
    }
  }
  const Worker = FlaggedWorker;
  return new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
}

export class EngineBridge {
  private gen!: Generation;
  private source?: ModelSource;
  private readonly jobs = new Map<string, PendingJob>();
  /** resolves when the (re)started worker has its model back; every call waits for it */
  private ready: Promise<void> = Promise.resolve();
  private loads = 0;
  private crashes: number[] = [];
  /** silence after which an idle worker counts as dead (see HEARTBEAT_TIMEOUT_MS) */
  heartbeatTimeoutMs = HEARTBEAT_TIMEOUT_MS;
  /** the same while a job runs */
  jobHeartbeatTimeoutMs = JOB_HEARTBEAT_TIMEOUT_MS;

  constructor(private readonly flags: WorkerFlags, private readonly events: BridgeEvents = {}) {
    this.start();
  }

  /** Why the model is not back after the last restart (undefined: it is, or none was loaded). */
  reloadError?: LabError;

  /** Resolves once a restart's model reload has ended (at once when none is going on). */
  async whenReady(): Promise<void> {
    await this.ready;
  }

  /** Counts workers started: a new generation has none of the previous one's variants. */
  get generation(): number {
    return this.gen.n;
  }

  private start(): void {
    const worker = spawnWorker(this.flags);
    let kill!: (e: LabError) => void;
    const gone = new Promise<never>((_, reject) => (kill = reject));
    gone.catch(() => undefined);
    const gen: Generation = {
      n: (this.gen?.n ?? 0) + 1,
      worker,
      api: Comlink.wrap<WorkerApi>(worker),
      gone,
      kill,
      dead: false,
      lastSeen: performance.now(),
      pinging: false,
      timer: setInterval(() => this.beat(gen), HEARTBEAT_EVERY_MS),
    };
    worker.addEventListener('message', () => (gen.lastSeen = performance.now()));
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      const where = e.filename ? ` (${e.filename.split('?')[0].split('/').pop()}:${e.lineno})` : '';
      this.crashed(gen, `an uncaught error in the engine: ${e.message || 'no message (the worker script failed)'}${where}`);
    });
    worker.addEventListener('messageerror', () => this.crashed(gen, 'a message from the engine could not be read (messageerror)'));
    this.gen = gen;
  }

  private beat(gen: Generation): void {
    if (gen.dead) return;
    const timeout = this.loads > 0
      ? Math.max(this.heartbeatTimeoutMs, this.jobHeartbeatTimeoutMs, LOAD_HEARTBEAT_TIMEOUT_MS)
      : this.jobs.size > 0 ? this.jobHeartbeatTimeoutMs : this.heartbeatTimeoutMs;
    const silent = performance.now() - gen.lastSeen;
    if (silent > timeout) {
      this.heartbeatTimeoutMs = Math.min(this.heartbeatTimeoutMs * 2, MAX_HEARTBEAT_TIMEOUT_MS);
      this.jobHeartbeatTimeoutMs = Math.min(this.jobHeartbeatTimeoutMs * 2, MAX_HEARTBEAT_TIMEOUT_MS);
      this.crashed(gen, `the engine stopped answering (no reply for ${(silent / 1000).toFixed(1)} s)`);
      return;
    }
    if (gen.pinging) return;
    gen.pinging = true;
    gen.api.ping().then(
      () => {
        gen.pinging = false;
        gen.lastSeen = performance.now();
      },
      () => (gen.pinging = false),
    );
  }

  /** A worker of `gen` crashed: fail what it had, start a new one (once per generation). */
  private crashed(gen: Generation, reason: string): void {
    if (gen.dead || gen !== this.gen) return;
    console.error('engine worker crashed:', reason);
    const now = performance.now();
    this.crashes = this.crashes.filter((t) => now - t < CRASH_WINDOW_MS).concat(now);
    this.events.onCrash?.(reason);
    void this.restart('WorkerCrashed', `the engine worker crashed: ${reason}; a new one was started`, this.crashes.length < MAX_CRASHES);
  }

  /** Runs `fn` on the current worker; rejects with the restart's reason if the worker goes. */
  private async call<T>(fn: (api: Comlink.Remote<WorkerApi>) => Promise<T>): Promise<T> {
    await this.ready;
    const gen = this.gen;
    try {
      return await Promise.race([fn(gen.api), gen.gone]);
    } catch (e) {
      throw toLabError(e);
    }
  }

  private async loading<T>(fn: () => Promise<T>): Promise<T> {
    this.loads++;
    try {
      return await fn();
    } finally {
      this.loads--;
    }
  }

  capabilities(): Promise<Capabilities> {
    return this.call((api) => api.capabilities());
  }

  async loadDemo(name: string): Promise<ModelSummary> {
    const model = await this.loading(() => this.call((api) => api.loadDemo(name)));
    this.jobHeartbeatTimeoutMs = Math.max(this.jobHeartbeatTimeoutMs, jobSilenceFor(model));
    this.source = { kind: 'demo', name };
    return model;
  }

  /** Sends copies of the buffers (transferred) and keeps the originals for a reload after restart. */
  async loadFiles(files: InputFile[], options?: LoadOptions): Promise<ModelSummary> {
    const sent = files.map((f) => ({ path: f.path, data: f.data.slice(0) }));
    const model = await this.loading(() => this.call((api) => api.loadFiles(Comlink.transfer(sent, buffersOf(sent)), options)));
    this.jobHeartbeatTimeoutMs = Math.max(this.jobHeartbeatTimeoutMs, jobSilenceFor(model));
    this.source = { kind: 'files', files, options };
    return model;
  }

  makeVariant(modelId: string, spec: VariantSpec, device: KernelDevice, jobId: string, onProgress: ProgressFn): Promise<VariantSummary> {
    return this.track(jobId, async (api) => {
      // a dropped calibration text travels with the make that names it (a restarted worker has none)
      for (const t of calibrationTextsOf(spec)) await api.putCalibrationText(t.ref, t.file.name, t.file.data);
      return api.makeVariant(modelId, spec, device, jobId, Comlink.proxy(onProgress));
    });
  }

  generate(modelId: string, variantId: string, settings: GenerateSettings, jobId: string, onProgress: ProgressFn): Promise<GenerationResult> {
    return this.track(jobId, (api) => api.generate(modelId, variantId, settings, jobId, Comlink.proxy(onProgress)));
  }

  prefillSpeed(modelId: string, variantId: string, settings: PrefillSpeedSettings, jobId: string, onProgress: ProgressFn): Promise<PrefillSpeedResult> {
    return this.track(jobId, (api) => api.prefillSpeed(modelId, variantId, settings, jobId, Comlink.proxy(onProgress)));
  }

  decodeSpeed(modelId: string, variantId: string, settings: DecodeSpeedSettings, jobId: string, onProgress: ProgressFn): Promise<DecodeSpeedResult> {
    return this.track(jobId, (api) => api.decodeSpeed(modelId, variantId, settings, jobId, Comlink.proxy(onProgress)));
  }

  classify(modelId: string, variantId: string, settings: ClassifySettings, jobId: string, onProgress: ProgressFn): Promise<ClassificationResult> {
    return this.track(jobId, (api) => api.classify(modelId, variantId, settings, jobId, Comlink.proxy(onProgress)));
  }

  evaluate(modelId: string, variantId: string, settings: EvalSettings, jobId: string, onProgress: ProgressFn): Promise<EvalResult> {
    return this.track(jobId, (api) => api.evaluate(modelId, variantId, settings, jobId, Comlink.proxy(onProgress)));
  }

  compareSpeed(modelId: string, variantIds: string[], settings: SpeedSettings, jobId: string, onProgress: ProgressFn): Promise<SpeedResult[]> {
    return this.track(jobId, (api) => api.compareSpeed(modelId, variantIds, settings, jobId, Comlink.proxy(onProgress)));
  }

  exportVariant(modelId: string, variantId: string, measured: ExportMeasurements, jobId: string, onProgress: ProgressFn): Promise<ExportedVariant> {
    return this.track(jobId, (api) => api.exportVariant(modelId, variantId, measured, jobId, Comlink.proxy(onProgress)));
  }

  errorPropagation(modelId: string, variantIds: string[], settings: ErrorPropagationSettings, jobId: string, onProgress: ProgressFn): Promise<ErrorPropagationResult[]> {
    return this.track(jobId, (api) => api.errorPropagation(modelId, variantIds, settings, jobId, Comlink.proxy(onProgress)));
  }

  /** Failure simulation (the worker refuses unless the page has ?debug=1). Not awaited past the worker's answer. */
  debug(kind: DebugKind, ms?: number): Promise<void> {
    return this.call((api) => api.debug(kind, ms));
  }

  /** A job's promise settles with the worker's answer, or rejects 'Cancelled'/'WorkerCrashed' when its worker went. */
  private track<T>(jobId: string, fn: (api: Comlink.Remote<WorkerApi>) => Promise<T>): Promise<T> {
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
    void this.gen.api.cancel(jobId).catch(() => undefined);
    const timedOut = await Promise.race([
      job.settled.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), CANCEL_GRACE_MS)),
    ]);
    if (timedOut && this.jobs.has(jobId)) await this.restart('Cancelled', `job ${jobId} cancelled (worker restarted)`);
  }

  /** Terminate the worker, fail every pending call, start a fresh one and reload the current model. */
  async restart(code: 'Cancelled' | 'WorkerCrashed', why: string, reloadModel = true): Promise<void> {
    const old = this.gen;
    old.dead = true;
    clearInterval(old.timer);
    old.worker.terminate();
    const err = new LabError(code, why);
    for (const [id, job] of this.jobs) {
      job.reject(err);
      this.jobs.delete(id);
    }
    old.kill(err);
    old.api[Comlink.releaseProxy]();
    this.start();
    this.events.onRestarting?.();
    const source = reloadModel ? this.source : undefined;
    const gen = this.gen;
    let reload: Promise<ModelSummary | undefined> = Promise.resolve(undefined);
    if (source?.kind === 'demo') reload = this.loading(() => Promise.race([gen.api.loadDemo(source.name), gen.gone]));
    else if (source?.kind === 'files') {
      const sent = source.files.map((f) => ({ path: f.path, data: f.data.slice(0) }));
      reload = this.loading(() => Promise.race([gen.api.loadFiles(Comlink.transfer(sent, buffersOf(sent)), source.options), gen.gone]));
    }
    const skipped = !reloadModel && this.source
      ? new LabError('WorkerCrashed', `the engine crashed ${MAX_CRASHES} times within ${CRASH_WINDOW_MS / 1000} s, so the model was not reloaded; load it again`)
      : undefined;
    // The reload runs in the background; calls made meanwhile wait for it (this.ready).
    this.reloadError = undefined;
    this.ready = reload.then(
      (model) => {
        if (gen !== this.gen) return;
        this.reloadError = skipped;
        this.events.onRestart?.(model, skipped);
      },
      (e) => {
        if (gen !== this.gen) return;
        this.reloadError = toLabError(e);
        this.events.onRestart?.(undefined, this.reloadError);
      },
    );
  }
}
