/**
 * Text generation by one model on one backend, batch 1: each new token is the argmax of the last
 * position's logits (greedy) or a draw from softmax(logits / temperature) with a seeded generator,
 * written by generate-loop.ts (shared with decode-speed.ts): on a KV-cache decoder's cache, else
 * the whole context again per token, so every graph the lab evaluates generates, variants
 * included, and the result says which way.
 * Progress per token with an ETA; cancellation checked between tokens.
 */
import type { GenerateSettings, GenerationResult } from '../api';
import { labError } from '../errors';
import type { Job } from '../jobs';
import type { TextTokenizer } from '../model/tokenizer';
import { pickToken, writeTokens } from './generate-loop';
import { getSession } from './ort-runtime';
import { quantile } from './speed';
import { seededRandom } from '../seeded-random';

const MAX_NEW_TOKENS = 512;

export type GenerationMeasured = Pick<GenerationResult, 'promptTokens' | 'tokens' | 'text' | 'decode' | 'msPerToken' | 'tokensPerS'>;

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
  await job.checkpoint();
  const start = performance.now();
  const r = await writeTokens(h, prompt, s.maxNewTokens, window, (row) => pickToken(row, temperature, random), async (i) => {
    job.progress('generate', i + 1, s.maxNewTokens);
    await job.checkpoint();
  });
  const wall = performance.now() - start;
  const steps = [...r.stepMs].sort((a, b) => a - b);
  return {
    promptTokens: prompt.length,
    tokens: r.tokens,
    text: t.tokenizer.decode(r.tokens),
    decode: r.decode,
    msPerToken: { median: quantile(steps, 0.5), p90: quantile(steps, 0.9), firstMs: r.promptMs },
    tokensPerS: r.tokens.length / (wall / 1000),
  };
}
