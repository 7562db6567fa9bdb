/**
 * Decode speed of one model on one backend, batch 1: the first `promptTokens` of the evaluation
 * text as the prompt, then `newTokens` greedy tokens, `warmup` untimed runs then `runs` timed ones.
 * The tokens are written by generate-loop.ts, as generation writes them: on a KV-cache decoder's
 * cache (the prompt once, then one token per step), else the whole context again for every token;
 * the result says which of the two it measured. A run's decode speed counts only its single-token steps (the
 * prompt's run is reported apart), so it is what a user waits for per token once text flows.
 * Cancellation is checked between tokens.
 */
import type { DecodeSpeedResult, DecodeSpeedSettings } from '../api';
import { labError } from '../errors';
import type { Job } from '../jobs';
import { pickToken, writeTokens } from './generate-loop';
import { getSession } from './ort-runtime';
import { quantile } from './speed';

const MAX_RUNS = 100;
const MAX_NEW_TOKENS = 512;

export type DecodeSpeedMeasured = Pick<DecodeSpeedResult, 'decode' | 'runsTokS' | 'medianMs' | 'p90Ms' | 'tokensPerS' | 'promptMs' | 'firstMs' | 'sessionCreateMs' | 'sessionReused'>;

const greedy = (row: Float32Array) => pickToken(row, 0, () => 0);

export async function decodeSpeedOf(
  t: { key: string; getBytes: () => Uint8Array; ids: Int32Array; nPositions: number },
  s: DecodeSpeedSettings,
  job: Job,
): Promise<DecodeSpeedMeasured> {
  const bad = (m: string) => labError('BadOption', m);
  if (s.backend !== 'webgpu' && s.backend !== 'wasm') throw bad(`backend must be one of webgpu, wasm; got "${s.backend}"`);
  const window = t.nPositions > 0 ? t.nPositions : Infinity;
  const maxPrompt = Math.min(t.ids.length, window - 1);
  if (!Number.isInteger(s.promptTokens) || s.promptTokens < 1 || s.promptTokens > maxPrompt) throw bad(`promptTokens must be an integer in [1, ${maxPrompt}], got ${s.promptTokens}`);
  if (!Number.isInteger(s.newTokens) || s.newTokens < 2 || s.newTokens > MAX_NEW_TOKENS) throw bad(`newTokens must be an integer in [2, ${MAX_NEW_TOKENS}] (the first comes from the prompt's run; the speed is the steps after it), got ${s.newTokens}`);
  if (!Number.isInteger(s.runs) || s.runs < 1 || s.runs > MAX_RUNS) throw bad(`runs must be an integer in [1, ${MAX_RUNS}], got ${s.runs}`);
  const warmup = s.warmup ?? 1;
  if (!Number.isInteger(warmup) || warmup < 0 || warmup > 10) throw bad(`warmup must be an integer in [0, 10], got ${s.warmup}`);
  job.progress('session', 0, 1, `starting ${s.backend} session`);
  const asked = performance.now();
  const h = await getSession(t.key, s.backend, t.getBytes);
  job.progress('session', 1, 1);
  const prompt = Array.from(t.ids.subarray(0, s.promptTokens));
  const total = warmup + s.runs;
  const runs: { promptMs: number; stepMs: number[] }[] = [];
  let decode: DecodeSpeedResult['decode'] | undefined;
  let firstMs = NaN;
  for (let r = 0; r < total; r++) {
    await job.checkpoint();
    const t0 = performance.now();
    const run = await writeTokens(h, prompt, s.newTokens, window, greedy, () => job.checkpoint());
    if (r === 0) firstMs = performance.now() - t0;
    if (r >= warmup) runs.push({ promptMs: run.promptMs, stepMs: run.stepMs });
    decode = run.decode;
    job.progress('decode', r + 1, total, r < warmup ? 'warm-up run' : `timed run ${r + 1 - warmup}/${s.runs}`);
  }
  const perToken = runs.map((r) => r.stepMs.reduce((a, b) => a + b, 0) / r.stepMs.length);
  const sorted = [...perToken].sort((a, b) => a - b);
  const medianMs = quantile(sorted, 0.5);
  return {
    decode: decode!,
    runsTokS: perToken.map((ms) => 1000 / ms),
    medianMs,
    p90Ms: quantile(sorted, 0.9),
    tokensPerS: 1000 / medianMs,
    promptMs: quantile(runs.map((r) => r.promptMs).sort((a, b) => a - b), 0.5),
    firstMs,
    sessionCreateMs: h.createMs,
    sessionReused: h.createdAt < asked,
  };
}
