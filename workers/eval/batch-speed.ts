/**
 * Prefill speed at one batch size: `batch` rows of `seqLen` tokens (consecutive windows of the
 * evaluation text) run at once, `warmup` untimed runs then `runs` timed ones; median and p10/p90.
 * Tokens/s counts every row's tokens. Cancellation checked between runs.
 */
import type { PrefillSpeedSettings } from '../api';
import { labError } from '../errors';
import type { Job } from '../jobs';
import { batchFeeds, type InputInfo } from '../model/graph-kind';
import { getSession, runFeeds } from './ort-runtime';
import { medianP90 } from './windows';

const MAX_BATCH = 64;
const MAX_RUNS = 100;

export async function prefillSpeedOf(
  t: { key: string; getBytes: () => Uint8Array; ids: Int32Array; nPositions: number },
  s: PrefillSpeedSettings,
  job: Job,
): Promise<{ medianMs: number; p10Ms: number; p90Ms: number; tokensPerS: number; firstMs: number; sessionCreateMs: number; sessionReused: boolean }> {
  const bad = (m: string) => labError('BadOption', m);
  if (s.backend !== 'webgpu' && s.backend !== 'wasm') throw bad(`backend must be one of webgpu, wasm; got "${s.backend}"`);
  if (!Number.isInteger(s.batch) || s.batch < 1 || s.batch > MAX_BATCH) throw bad(`batch must be an integer in [1, ${MAX_BATCH}], got ${s.batch}`);
  const maxLen = Math.min(t.nPositions || t.ids.length, Math.floor(t.ids.length / s.batch));
  if (!Number.isInteger(s.seqLen) || s.seqLen < 1 || s.seqLen > maxLen) throw bad(`seqLen must be an integer in [1, ${maxLen}] at batch ${s.batch}, got ${s.seqLen}`);
  if (!Number.isInteger(s.runs) || s.runs < 1 || s.runs > MAX_RUNS) throw bad(`runs must be an integer in [1, ${MAX_RUNS}], got ${s.runs}`);
  const warmup = s.warmup ?? 1;
  job.progress('session', 0, 1, `starting ${s.backend} session`);
  const asked = performance.now();
  const h = await getSession(t.key, s.backend, t.getBytes);
  job.progress('session', 1, 1);
  const rows = Array.from({ length: s.batch }, (_, r) => BigInt64Array.from(t.ids.subarray(r * s.seqLen, (r + 1) * s.seqLen), (x) => BigInt(x)));
  const feeds = batchFeeds(rows, h.session.inputMetadata as readonly InputInfo[], (type, data, dims) => new h.ort.Tensor(type as 'float32', data as Float32Array, dims));
  const ms: number[] = [];
  let firstMs = NaN;
  for (let i = 0; i < warmup + s.runs; i++) {
    await job.checkpoint();
    const r = await runFeeds(h, feeds, ['logits']);
    if (i === 0) firstMs = r.ms;
    if (i >= warmup) ms.push(r.ms);
    job.progress('speed', i + 1, warmup + s.runs);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  const { median, p90 } = medianP90(ms);
  const p10 = sorted[Math.floor((sorted.length - 1) * 0.1)];
  return { medianMs: median, p10Ms: p10, p90Ms: p90, tokensPerS: (s.batch * s.seqLen) / (median / 1000), firstMs, sessionCreateMs: h.createMs, sessionReused: h.createdAt < asked };
}
