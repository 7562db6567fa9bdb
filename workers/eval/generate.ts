/**
 * Text generation by one model on one backend, batch 1: each new token is the argmax of the last
 * position's logits (greedy) or a draw from softmax(logits / temperature) with a seeded generator,
 * A KV-cache decoder writes on its cache (kv-decode.ts: the prompt once, then one token per step);
 * any other graph runs the whole context (its last n_positions tokens) again for the next token,
 * so every graph the lab evaluates generates, variants included, and the result says which way.
 * Progress per token with an ETA; cancellation checked between tokens.
 */
import type { GenerateSettings, GenerationResult } from '../api';
import { labError } from '../errors';
import type { Job } from '../jobs';
import type { TextTokenizer } from '../model/tokenizer';
import { hasKvCache, kvDecode } from './kv-decode';
import { getSession, runLogits } from './ort-runtime';
import { quantile } from './speed';
import { seededRandom } from '../seeded-random';

const MAX_NEW_TOKENS = 512;

export type GenerationMeasured = Pick<GenerationResult, 'promptTokens' | 'tokens' | 'text' | 'decode' | 'msPerToken' | 'tokensPerS'>;

/** The next token from one row of logits. */
export function pickToken(row: Float32Array, temperature: number, random: () => number): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  if (!(temperature > 0)) return best;
  let sum = 0;
  const p = new Float64Array(row.length);
  for (let i = 0; i < row.length; i++) sum += p[i] = Math.exp((row[i] - row[best]) / temperature);
  let u = random() * sum;
  for (let i = 0; i < row.length; i++) if ((u -= p[i]) <= 0) return i;
  return best;
}

export async function generateTarget(
  t: { key: string; getBytes: () => Uint8Array; tokenizer: TextTokenizer; nPositions: number },
  s: GenerateSettings,
  job: Job,
): Promise<GenerationMeasured> {
  const bad = (m: string) => labError('BadOption', m);
  if (s.backend !== 'webgpu' && s.backend !== 'wasm') throw bad(`backend must be one of webgpu, wasm; got "${s.backend}"`);
  if (typeof s.prompt !== 'string' || !s.prompt.trim()) throw bad('the prompt is empty: type a few words to continue');
  if (!Number.isInteger(s.maxNewTokens) || s.maxNewTokens < 1 || s.maxNewTokens > MAX_NEW_TOKENS) throw bad(`maxNewTokens must be an integer in [1, ${MAX_NEW_TOKENS}], got ${s.maxNewTokens}`);
  const temperature = s.temperature ?? 0;
  if (!(temperature >= 0 && temperature <= 10)) throw bad(`temperature must be in [0, 10] (0 = greedy), got ${s.temperature}`);
  const prompt = t.tokenizer.encode(s.prompt);
  if (!prompt.length) throw bad('the prompt encodes to no tokens');
  job.progress('session', 0, 1, `starting ${s.backend} session`);
  const h = await getSession(t.key, s.backend, t.getBytes);
  job.progress('session', 1, 1);
  const random = seededRandom(s.seed ?? 0);
  const window = t.nPositions > 0 ? t.nPositions : Infinity;
  if (hasKvCache(h) && prompt.length + s.maxNewTokens <= window) {
    const start = performance.now();
    const r = await kvDecode(h, prompt, s.maxNewTokens, (row) => pickToken(row, temperature, random), async (i) => {
      job.progress('generate', i + 1, s.maxNewTokens);
      await job.checkpoint();
    });
    const wall = performance.now() - start;
    const steps = [...r.stepMs].sort((a, b) => a - b);
    return {
      promptTokens: prompt.length,
      tokens: r.tokens,
      text: t.tokenizer.decode(r.tokens),
      decode: 'KV cache, one token per step',
      msPerToken: { median: quantile(steps, 0.5), p90: quantile(steps, 0.9), firstMs: r.promptMs },
      tokensPerS: r.tokens.length / (wall / 1000),
    };
  }
  const ids = [...prompt];
  const tokens: number[] = [];
  const ms: number[] = [];
  const start = performance.now();
  for (let i = 0; i < s.maxNewTokens; i++) {
    await job.checkpoint();
    const context = ids.slice(Math.max(0, ids.length - window));
    const out = await runLogits(h, BigInt64Array.from(context, (x) => BigInt(x)));
    const row = out.logits.subarray((context.length - 1) * out.vocab, context.length * out.vocab);
    const next = pickToken(row, temperature, random);
    ids.push(next);
    tokens.push(next);
    ms.push(out.ms);
    job.progress('generate', i + 1, s.maxNewTokens);
  }
  const wall = performance.now() - start;
  const timed = ms.slice(1).sort((a, b) => a - b);
  return {
    promptTokens: prompt.length,
    tokens,
    text: t.tokenizer.decode(tokens),
    decode: 'prefill per token (no KV cache)',
    msPerToken: { median: quantile(timed, 0.5), p90: quantile(timed, 0.9), firstMs: ms[0] },
    tokensPerS: tokens.length / (wall / 1000),
  };
}
