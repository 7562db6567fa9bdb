/**
 * The one module that imports onnxruntime-web. It maps our backends to execution providers,
 * keeps a small cache of sessions per (model bytes, backend), and runs them one at a time.
 *
 * Two builds, one per backend, each loaded on first use:
 *   webgpu  `onnxruntime-web/webgpu`: the native WebGPU EP (the plain build's JSEP is much slower
 *           on MatMulNBits); it is an asyncify build,
 *   wasm    `onnxruntime-web/wasm`: the plain WASM build, 1.3–2.7× faster than the asyncify build's
 *           WASM EP on the demo LM (../shared/measurements.md; `npm run bench` measures it again).
 * Their wasm files are served from public/ort/ (copied from node_modules/onnxruntime-web/dist by
 * scripts/copy-runtime-assets.mjs), never from a CDN. A session's tensors come from its own build.
 */
import { externalDataOf } from './external-data';
import { readHandles } from './read-handles';
import type * as OrtWebgpu from 'onnxruntime-web/webgpu';
import type { Backend } from '../api';
import { prefillFeeds, type InputInfo } from '../model/graph-kind';
import { publicUrl } from '../assets';
import { wasmThreads } from '../capabilities';
import { labError } from '../errors';
import { currentOrtDevice, lostSince, raceLoss, sessionCreatedOn, webgpuProvider } from './ort-device';
import { OUT, TARGETS } from './scored-graph';
import type { RowScores } from './score';

/** Sessions kept per backend (baseline + the variant being looked at); older ones are released. */
const MAX_SESSIONS_PER_BACKEND = 2;

const EXECUTION_PROVIDERS: Record<Backend, string> = Object.freeze({ webgpu: 'webgpu', wasm: 'wasm' });

/** Both builds export the same API (onnxruntime-common); the type of one stands for both. */
type Ort = typeof OrtWebgpu;

const builds = new Map<Backend, Promise<Ort>>();

/** The build for a backend, imported and configured once. */
function ortFor(backend: Backend): Promise<Ort> {
  let p = builds.get(backend);
  if (!p) {
    p = (backend === 'webgpu' ? import('onnxruntime-web/webgpu') : (import('onnxruntime-web/wasm') as Promise<unknown> as Promise<Ort>)).then((ort) => {
      ort.env.wasm.wasmPaths = publicUrl('ort/');
      ort.env.wasm.numThreads = wasmThreads();
      ort.env.wasm.simd = true;
      ort.env.wasm.proxy = false; // we already are a worker
      ort.env.logLevel = 'warning';
      return ort;
    });
    p.catch(() => builds.delete(backend));
    builds.set(backend, p);
  }
  return p;
}

/** Which onnxruntime-web build runs a backend, for the settings shown beside every speed. */
export const RUNTIME_BUILDS: Readonly<Record<Backend, string>> = Object.freeze({
  webgpu: 'onnxruntime-web/webgpu (asyncify build, WebGPU EP)',
  wasm: 'onnxruntime-web/wasm (plain build, WASM EP)',
});

export interface SessionHandle {
  key: string;
  backend: Backend;
  ort: Ort;
  session: OrtWebgpu.InferenceSession;
  inputNames: readonly string[];
  lastUsed: number;
  /** performance.now() when the session was made, and how long InferenceSession.create took (ms) */
  createdAt: number;
  createMs: number;
  /** the GPUDevice a WebGPU session runs on (ort-device.ts watches it for loss) */
  device?: GPUDevice;
}

const sessions = new Map<string, SessionHandle>();

/** All ORT work goes through this queue: sessions are created and run one at a time. */
let queue: Promise<unknown> = Promise.resolve();
function serial<T>(fn: () => Promise<T>): Promise<T> {
  const next = queue.then(fn, fn);
  queue = next.catch(() => {});
  return next;
}

/** A run on a session's device: serial, and rejected with 'GpuDeviceLost' when its WebGPU device goes. */
function onDevice<T>(h: SessionHandle, fn: () => Promise<T>): Promise<T> {
  return serial(() => raceLoss(h.device, fn));
}

/** Debug hook (engine.worker.ts 'packed-session-fails'): sessions whose key contains this fail as an EP's refusal does. */
let refusing: string | undefined;
export function refuseSessions(keyPart: string | undefined): void {
  refusing = keyPart;
}
function refusedByHook(key: string): void {
  if (!refusing || !key.includes(refusing)) return;
  const e = new Error(`could not create a session: refused by the debug hook for keys with "${refusing}"`);
  e.name = 'SessionFailed';
  throw e;
}

/**
 * The session for `modelKey` on `backend`, created from getBytes() on first use.
 * `modelKey` must change whenever the bytes change (e.g. `${modelId}|${variantId}`).
 */
export function getSession(modelKey: string, backend: Backend, getBytes: () => Uint8Array): Promise<SessionHandle> {
  return serial(async () => {
    const key = `${backend}|${modelKey}`;
    const hit = sessions.get(key);
    if (hit && lostSince(hit.device)) {
      // its device is gone: a new session on a new device
      sessions.delete(key);
    } else if (hit) {
      hit.lastUsed = performance.now();
      return hit;
    }
    refusedByHook(key);
    await evictFor(backend);
    const ort = await ortFor(backend);
    const t0 = performance.now();
    const { session, device } = await createSession(ort, backend, getBytes);
    const now = performance.now();
    const h: SessionHandle = { key, backend, ort, session, inputNames: session.inputNames, lastUsed: now, createdAt: now, createMs: now - t0, device };
    sessions.set(key, h);
    return h;
  });
}

/**
 * Past this many weight bytes a WASM session does not prepack its MatMul weights: prepacking copies
 * each constant weight into a packed buffer beside the original, and wasm32's 4 GiB then runs out
 * well before the weights do (scripts/probe-wasm-limit.ts, onnxruntime-web 1.30 in Node: 3.0 GiB of
 * 256 MiB weights loads and 3.5 GiB fails with std::bad_alloc; 2.5 GiB of 512 MiB weights fails;
 * without prepacking 3.75 GiB loads and runs).
 */
const NO_PREPACK_FROM = 2 ** 30;
const weightBytes = (bytes: Uint8Array) => bytes.length + (externalDataOf(bytes) ?? []).reduce((a, f) => a + (f.data instanceof Blob ? f.data.size : (f.data as Uint8Array).length), 0);

async function createSession(ort: Ort, backend: Backend, getBytes: () => Uint8Array): Promise<{ session: OrtWebgpu.InferenceSession; device?: GPUDevice }> {
  try {
    const provider = backend === 'webgpu' ? await webgpuProvider() : EXECUTION_PROVIDERS[backend];
    const bytes = getBytes();
    const externalData = externalDataOf(bytes);
    // weights left in their data files: handles are read into buffers given back once the session holds them (read-handles.ts)
    const handed = externalData ? await readHandles(externalData) : undefined;
    let session: OrtWebgpu.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        ...(handed ? { externalData: handed.files } : {}),
        ...(backend !== 'webgpu' && weightBytes(bytes) > NO_PREPACK_FROM ? { extra: { session: { disable_prepacking: '1' } } } : {}),
      });
    } finally {
      handed?.release();
    }
    if (backend !== 'webgpu') return { session };
    await sessionCreatedOn(ort as unknown as Parameters<typeof sessionCreatedOn>[0], provider);
    return { session, device: currentOrtDevice() };
  } catch (e) {
    if ((e as Error).name === 'GpuDeviceLost') throw e;
    const msg = (e as Error).message ?? String(e);
    if (backend === 'webgpu' && /adapter|requestDevice|navigator\.gpu|webgpu is not/i.test(msg)) {
      throw labError('WebGpuUnavailable', `could not start a WebGPU session: ${msg}`);
    }
    // wasm32's memory ran out: say so with the sizes, not only onnxruntime's "std::bad_alloc"
    const weights = backend !== 'webgpu' && /bad_alloc|out of memory|Integer overflow/i.test(msg) ? weightBytes(getBytes()) : 0;
    const memory = weights
      ? `; onnxruntime-web's WASM memory (wasm32, 4 GiB at most) could not hold this model's ${(weights / 2 ** 30).toFixed(2)} GiB of weights beside the sessions already open (measured alone: 3.75 GiB loads without prepacking, scripts/probe-wasm-limit.ts)`
      : '';
    // the model itself was refused (an operator or type this EP lacks): the caller may fall back
    const failed = new Error(`could not create a ${backend} session: ${msg}${memory}`);
    failed.name = 'SessionFailed';
    throw failed;
  }
}

/**
 * A session outside the cache, for callers that must keep several alive at once (interleaved
 * timing); the caller releases it with closeSession.
 */
export function openSession(modelKey: string, backend: Backend, getBytes: () => Uint8Array): Promise<SessionHandle> {
  return serial(async () => {
    refusedByHook(modelKey);
    const ort = await ortFor(backend);
    const t0 = performance.now();
    const { session, device } = await createSession(ort, backend, getBytes);
    const now = performance.now();
    return { key: `${backend}|${modelKey}|pinned`, backend, ort, session, inputNames: session.inputNames, lastUsed: now, createdAt: now, createMs: now - t0, device };
  });
}

export function closeSession(h: SessionHandle): Promise<void> {
  return serial(() => release(h));
}

/**
 * Releases a session, except one whose WebGPU device was lost: ORT's release then blocks the
 * worker (seen in Chromium: the heartbeat went unanswered for a minute), so it is only dropped and
 * its memory left to the worker's end.
 */
async function release(h: SessionHandle): Promise<void> {
  if (lostSince(h.device)) return;
  await h.session.release();
}

async function evictFor(backend: Backend): Promise<void> {
  const mine = [...sessions.values()].filter((s) => s.backend === backend).sort((a, b) => a.lastUsed - b.lastUsed);
  while (mine.length >= MAX_SESSIONS_PER_BACKEND) {
    const old = mine.shift()!;
    sessions.delete(old.key);
    await release(old);
  }
}

/** Releases every session whose key contains `modelKeyPart` (e.g. a model id being dropped). */
export function releaseSessions(modelKeyPart: string): Promise<void> {
  return serial(async () => {
    for (const [k, s] of [...sessions]) {
      if (!k.includes(modelKeyPart)) continue;
      sessions.delete(k);
      await release(s);
    }
  });
}

export interface LogitsOut {
  /** (seq, vocab) row-major, batch 1 */
  logits: Float32Array;
  vocab: number;
  ms: number;
}

/** One prefill run over `ids` (batch 1), fed by the one feeds builder (model/graph-kind.ts): an empty past for KV-cache decoders. */
export function runLogits(h: SessionHandle, ids: BigInt64Array): Promise<LogitsOut> {
  return onDevice(h, async () => {
    const ort = h.ort;
    const n = ids.length;
    const feeds = prefillFeeds(ids, h.session.inputMetadata as readonly InputInfo[], (type, data, dims) => new ort.Tensor(type as 'float32', data as Float32Array, dims));
    const t0 = performance.now();
    const out = await h.session.run(feeds, ['logits']);
    const t = out.logits;
    const logits = (t.location === 'cpu' ? t.data : await t.getData(true)) as Float32Array;
    const ms = performance.now() - t0;
    const vocab = t.dims[t.dims.length - 1];
    // a sequence classifier's logits are (batch, labels): one row whatever the length
    if (logits.length !== n * vocab && t.dims.length !== 2) throw new Error(`logits dims [${t.dims.join(', ')}] do not match ${n} tokens`);
    return { logits, vocab, ms };
  });
}

/** One prefill run over `ids` (batch 1) returning the named f32 outputs, in order (calibration capture). */
export function runOutputs(h: SessionHandle, ids: BigInt64Array, names: readonly string[]): Promise<Float32Array[]> {
  return onDevice(h, async () => {
    const ort = h.ort;
    const feeds = prefillFeeds(ids, h.session.inputMetadata as readonly InputInfo[], (type, data, dims) => new ort.Tensor(type as 'float32', data as Float32Array, dims));
    const out = await h.session.run(feeds, names as string[]);
    const values: Float32Array[] = [];
    for (const n of names) {
      const t = out[n];
      values.push((t.location === 'cpu' ? t.data : await t.getData(true)) as Float32Array);
    }
    return values;
  });
}

/**
 * One window through an evaluation graph (scored-graph.ts): only its small outputs are fetched, so
 * on WebGPU the logits stay on the GPU; `wantHead` also fetches the first rows of logits (the
 * backend-agreement check). `bytes` counts everything that came back to JS.
 */
export function runScored(h: SessionHandle, ids: BigInt64Array, targets: BigInt64Array, wantHead: boolean): Promise<RowScores> {
  return onDevice(h, async () => {
    const ort = h.ort;
    const n = ids.length;
    const feeds: Record<string, OrtWebgpu.Tensor> = prefillFeeds(ids, h.session.inputMetadata as readonly InputInfo[], (type, data, dims) => new ort.Tensor(type as 'float32', data as Float32Array, dims));
    feeds[TARGETS] = new ort.Tensor('int64', targets, [1, n, 1]);
    const pair = h.session.outputNames.includes(OUT.kl);
    const names = [OUT.nll, OUT.top1, ...(pair ? [OUT.baseNll, OUT.baseTop1, OUT.kl] : []), ...(wantHead ? [OUT.head] : [])];
    const out = await h.session.run(feeds, names);
    let bytes = 0;
    const read = async <T extends Float32Array | Int32Array>(name: string): Promise<T> => {
      const t = out[name];
      const data = (t.location === 'cpu' ? t.data : await t.getData(true)) as T;
      bytes += data.byteLength;
      return data;
    };
    const r: RowScores = { nll: await read<Float32Array>(OUT.nll), top1: await read<Int32Array>(OUT.top1), bytes: 0 };
    if (pair) {
      r.baseNll = await read<Float32Array>(OUT.baseNll);
      r.baseTop1 = await read<Int32Array>(OUT.baseTop1);
      r.kl = await read<Float32Array>(OUT.kl);
    }
    if (wantHead) {
      const dims = out[OUT.head].dims;
      r.head = { logits: await read<Float32Array>(OUT.head), rows: dims[1], vocab: dims[2] };
    }
    r.bytes = bytes;
    return r;
  });
}

/** One run with feeds the caller built (a KV-cache decode step feeds the last step's present tensors back). */
export function runFeeds(h: SessionHandle, feeds: Record<string, OrtWebgpu.Tensor>, names: readonly string[]): Promise<{ out: Record<string, OrtWebgpu.Tensor>; ms: number }> {
  return onDevice(h, async () => {
    const t0 = performance.now();
    const out = await h.session.run(feeds, names as string[]);
    return { out: out as Record<string, OrtWebgpu.Tensor>, ms: performance.now() - t0 };
  });
}
