/**
 * Benchmark page for scripts/bench.ts. One module, two roles:
 * - as the page script it puts `window.bench` up for page.evaluate: machine facts, a *bare*
 *   onnxruntime-web session (no lab code: ORT imported directly, wasmPaths '/ort/', all cores)
 *   run on the main thread or in a plain worker made from this same file, and the *lab* engine
 *   driven through its real worker API (comlink), as e2e/harness/engine.ts does;
 * - as a worker script (`?role=bare-worker`) it exposes the same bare runner with comlink.
 * Two kinds of bare work (BareRequest.graph):
 * - 'logits': the model as published, every logit read back and log-softmaxed in JS (windows.ts);
 * - 'scored': the lab's own work, its evaluation graph (the model with the NLL computed in the
 *   graph, built here without lab code: bare-scored.ts), only the per-row NLL and top-1 read back.
 * Every contestant runs the same windows (workers/eval/windows.ts), gets one untimed warm-up
 * window, then `runs` timed passes over all windows.
 * Timing: wall seconds of the whole loop (session.run + outputs read + NLL sum), per pass.
 */
import * as Comlink from 'comlink';
import type { EvalSettings, LabApi } from '../../workers/api';
import { slidingPerplexity, slidingWindows, type PerplexityCore, type WindowSettings } from '../../workers/eval/windows';
import { bareScoredModel, scoredPerplexity, SCORED } from './bare-scored';
import { measureFirstTouch } from './first-touch';

export type Bundle = 'wasm' | 'webgpu';

export interface BareRequest extends WindowSettings {
  /** token stream (at least `tokens` long), tokenized in Node */
  ids: number[];
  runs: number;
  /** which onnxruntime-web build: 'onnxruntime-web/wasm' or 'onnxruntime-web/webgpu' with the wasm EP */
  bundle: Bundle;
  modelUrl: string;
  /** session options beyond executionProviders; default none (ORT's own defaults) */
  sessionOptions?: Record<string, unknown>;
  /** 'logits' (default): full logits read, NLL in JS; 'scored': the lab's evaluation graph, NLL in the graph */
  graph?: BareGraph;
}

export type BareGraph = 'logits' | 'scored';

export interface PassResult extends PerplexityCore {
  seconds: number;
  tokensFed: number;
}

export interface BareResult {
  bundle: Bundle;
  graph: BareGraph;
  where: 'main' | 'worker';
  numThreads: number;
  crossOriginIsolated: boolean;
  sessionCreateS: number;
  warmupS: number;
  passes: PassResult[];
}

const tokensFed = (s: WindowSettings) => slidingWindows(s).reduce((a, w) => a + (w.end - w.begin), 0);

/** A bare ORT session kept open between passes, so passes of contestants can be interleaved. */
class BareRunner {
  private session?: {
    run: (w: BigInt64Array) => Promise<{ logits: Float32Array; vocab: number }>;
    scored: (w: BigInt64Array, targets: BigInt64Array, head: boolean) => Promise<Float32Array>;
    release: () => Promise<void>;
  };
  private req?: BareRequest;
  private info?: Omit<BareResult, 'passes'>;

  async open(req: BareRequest, where: 'main' | 'worker'): Promise<Omit<BareResult, 'passes'>> {
    const ort = req.bundle === 'wasm' ? await import('onnxruntime-web/wasm') : await import('onnxruntime-web/webgpu');
    const numThreads = globalThis.crossOriginIsolated ? navigator.hardwareConcurrency || 1 : 1;
    // absolute, like the engine: Vite's dev server rewrites root-relative dynamic imports to ?import, which it refuses for public/ files
    ort.env.wasm.wasmPaths = new URL('/ort/', self.location.origin).href;
    ort.env.wasm.numThreads = numThreads;
    const r = await fetch(req.modelUrl);
    if (!r.ok) throw new Error(`HTTP ${r.status} for ${req.modelUrl}`);
    const graph = req.graph ?? 'logits';
    const fetched = new Uint8Array(await r.arrayBuffer());
    const bytes = graph === 'scored' ? bareScoredModel(fetched) : fetched;
    let t0 = performance.now();
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], ...(req.sessionOptions ?? {}) });
    const sessionCreateS = (performance.now() - t0) / 1000;
    const names = session.inputNames;
    const feedsOf = (win: BigInt64Array) => {
      const n = win.length;
      const feeds: Record<string, InstanceType<typeof ort.Tensor>> = { input_ids: new ort.Tensor('int64', win, [1, n]) };
      if (names.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
      if (names.includes('position_ids')) feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), [1, n]);
      return feeds;
    };
    const run = async (win: BigInt64Array) => {
      const out = await session.run(feedsOf(win), ['logits']);
      const t = out.logits;
      return { logits: t.data as Float32Array, vocab: t.dims[t.dims.length - 1] };
    };
    // what the lab fetches per window: NLL and top-1, and the first rows of logits on the first window
    const scored = async (win: BigInt64Array, targets: BigInt64Array, head: boolean) => {
      const feeds = feedsOf(win);
      feeds[SCORED.targets] = new ort.Tensor('int64', targets, [1, win.length, 1]);
      const out = await session.run(feeds, [SCORED.nll, SCORED.top1, ...(head ? [SCORED.head] : [])]);
      return out[SCORED.nll].data as Float32Array;
    };
    this.session = { run, scored, release: () => session.release() };
    this.req = req;
    const w0 = slidingWindows(req)[0];
    t0 = performance.now();
    if (graph === 'scored') await scoredPerplexity(req.ids, [w0], scored);
    else await run(BigInt64Array.from(req.ids.slice(w0.begin, w0.end), (v) => BigInt(v)));
    const warmupS = (performance.now() - t0) / 1000;
    this.info = { bundle: req.bundle, graph, where, numThreads, crossOriginIsolated: Boolean(globalThis.crossOriginIsolated), sessionCreateS, warmupS };
    return this.info;
  }

  /** One timed pass over all windows. */
  async pass(): Promise<PassResult> {
    const req = this.req!;
    const settings = { tokens: req.tokens, context: req.context, stride: req.stride };
    const t0 = performance.now();
    const core = req.graph === 'scored' ? await scoredPerplexity(req.ids, slidingWindows(settings), this.session!.scored) : await slidingPerplexity(req.ids, settings, this.session!.run);
    return { ...core, seconds: (performance.now() - t0) / 1000, tokensFed: tokensFed(settings) };
  }

  async close(): Promise<void> {
    await this.session?.release();
    this.session = undefined;
  }

  /** open, `runs` passes, close */
  async all(req: BareRequest, where: 'main' | 'worker'): Promise<BareResult> {
    const info = await this.open(req, where);
    const passes: PassResult[] = [];
    for (let i = 0; i < req.runs; i++) passes.push(await this.pass());
    await this.close();
    return { ...info, passes };
  }
}

export interface LabSettings extends WindowSettings {
  backend: 'wasm' | 'webgpu';
}
const labSettings = (s: LabSettings, tokens: number): EvalSettings => ({ backend: s.backend, tokens, context: s.context, stride: s.stride, throughputRuns: 0 });
let labJobs = 0;

const isWorker = typeof window === 'undefined';

if (isWorker) {
  const runner = new BareRunner();
  Comlink.expose({
    bare: (req: BareRequest) => runner.all(req, 'worker'),
    open: (req: BareRequest) => runner.open(req, 'worker'),
    pass: () => runner.pass(),
    close: () => runner.close(),
  });
} else {
  let lab: Comlink.Remote<LabApi> | undefined;
  const labApi = () => {
    if (!lab) {
      const worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
      lab = Comlink.wrap<LabApi>(worker);
    }
    return lab;
  };
  const log = (s: string) => (document.getElementById('log')!.textContent += `${s}\n`);
  const noProgress = Comlink.proxy(() => {});
  // open sessions for interleaved passes, one per kind of work on each side (main thread, worker)
  const mainRunners = new Map<BareGraph, BareRunner>();
  type WorkerRunner = { open(r: BareRequest): Promise<Omit<BareResult, 'passes'>>; pass(): Promise<PassResult>; close(): Promise<void> };
  const workerRunners = new Map<BareGraph, { worker: Worker; api: Comlink.Remote<WorkerRunner> }>();

  const bench = {
    /** with `firstTouch`, also the first-touch cost (320 MiB of garbage: the bench asks on its prime page
     * only, not on the page whose passes it times) */
    async machine(firstTouch = false) {
      const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
      let adapter: Record<string, string> | null = null;
      let webgpuReason: string | undefined;
      if (!gpu) webgpuReason = 'navigator.gpu missing';
      else {
        try {
          const a = await gpu.requestAdapter();
          if (a) adapter = { vendor: a.info.vendor, architecture: a.info.architecture, device: a.info.device, description: a.info.description };
          else webgpuReason = 'requestAdapter returned null';
        } catch (e) {
          webgpuReason = (e as Error).message;
        }
      }
      return {
        userAgent: navigator.userAgent,
        hardwareConcurrency: navigator.hardwareConcurrency,
        crossOriginIsolated: Boolean(globalThis.crossOriginIsolated),
        sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
        webgpuAdapter: adapter,
        webgpuReason,
        ...(firstTouch ? { first_touch_page: measureFirstTouch() } : {}),
      };
    },
    /** bare ORT on this page's main thread */
    bareMain: (req: BareRequest) => new BareRunner().all(req, 'main'),
    /** a bare main-thread session kept open for interleaved passes (bareOpen, barePass…, bareClose), one per graph */
    bareOpen(req: BareRequest) {
      const r = new BareRunner();
      mainRunners.set(req.graph ?? 'logits', r);
      return r.open(req, 'main');
    },
    barePass: (graph: BareGraph = 'logits') => mainRunners.get(graph)!.pass(),
    async bareClose(graph: BareGraph = 'logits') {
      await mainRunners.get(graph)?.close();
      mainRunners.delete(graph);
    },
    /** loads everything Vite has to optimize (engine worker, both ORT builds) so later pages are not reloaded */
    async prime() {
      await Promise.all([import('onnxruntime-web/wasm'), import('onnxruntime-web/webgpu')]);
      await labApi().capabilities();
    },
    /** bare ORT in a plain module worker (no lab code), like the engine's own placement */
    async bareWorker(req: BareRequest) {
      const url = new URL(import.meta.url);
      url.searchParams.set('role', 'bare-worker');
      const worker = new Worker(url, { type: 'module', name: 'bare' });
      try {
        return await Comlink.wrap<{ bare: (r: BareRequest) => Promise<BareResult> }>(worker).bare(req);
      } finally {
        worker.terminate();
      }
    },
    /** a bare session in a plain module worker kept open for interleaved passes (bareWorkerOpen, bareWorkerPass…, bareWorkerClose), one worker per graph */
    async bareWorkerOpen(req: BareRequest) {
      const url = new URL(import.meta.url);
      url.searchParams.set('role', 'bare-worker');
      const worker = new Worker(url, { type: 'module', name: 'bare' });
      const runner = { worker, api: Comlink.wrap<WorkerRunner>(worker) };
      workerRunners.set(req.graph ?? 'logits', runner);
      return runner.api.open(req);
    },
    bareWorkerPass: (graph: BareGraph = 'logits') => workerRunners.get(graph)!.api.pass(),
    async bareWorkerClose(graph: BareGraph = 'logits') {
      const runner = workerRunners.get(graph);
      await runner?.api.close();
      runner?.worker.terminate();
      workerRunners.delete(graph);
    },
    labCapabilities: () => labApi().capabilities(),
    labLoad: (name: string) => labApi().loadDemo(name),
    /** The lab's evaluate on the baseline over the first window only: creates and caches the session. */
    async labWarm(modelId: string, s: LabSettings) {
      const t0 = performance.now();
      await labApi().evaluate(modelId, 'baseline', labSettings(s, Math.min(s.tokens, s.context)), `bench-warm-${s.backend}`, noProgress);
      return (performance.now() - t0) / 1000;
    },
    /**
     * One timed pass of the lab's evaluate on the baseline (throughputRuns 0). Gives the engine's
     * own PerplexityResult.seconds (its ppl loop) and the wall time of the comlink call.
     */
    async labPass(modelId: string, s: LabSettings) {
      const t0 = performance.now();
      const r = await labApi().evaluate(modelId, 'baseline', labSettings(s, s.tokens), `bench-${s.backend}-${++labJobs}`, noProgress);
      const callSeconds = (performance.now() - t0) / 1000;
      log(`lab ${s.backend}: ppl ${r.perplexity.ppl.toFixed(4)} ${r.perplexity.seconds.toFixed(2)} s`);
      return { ...r.perplexity, callSeconds, tokensFed: tokensFed(s) };
    },
  };
  (window as unknown as { bench: typeof bench }).bench = bench;
}
