/**
 * The one loop that writes tokens, shared by generation (generate.ts) and decode speed
 * (decode-speed.ts) so the two time and write exactly the same way: a KV-cache decoder writes on
 * its cache (kv-decode.ts: the prompt once, then one token per step) while prompt + new tokens fit
 * its positions; any other graph runs its whole context (the last `window` tokens) again for every
 * token. Which of the two ran is returned with the tokens and each run's time.
 */
import type { GenerationResult } from '../api';
import { hasKvCache, kvDecode } from './kv-decode';
import { runLogits, type SessionHandle } from './ort-runtime';

export interface Written {
  tokens: number[];
  /** the run that read the prompt (and gave the first token) */
  promptMs: number;
  /** each later run: one per token after the first */
  stepMs: number[];
  decode: GenerationResult['decode'];
}

/** The next token from one row of logits: argmax (temperature 0), else a draw from softmax(row / temperature). */
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

/**
 * Writes `steps` tokens after `prompt`; `pick` chooses each from the last position's logits,
 * `onToken(i)` runs after token i (progress, cancellation). `window`: the model's positions
 * (Infinity when unknown).
 */
export async function writeTokens(
  h: SessionHandle, prompt: readonly number[], steps: number, window: number, pick: (row: Float32Array) => number, onToken: (i: number) => Promise<void>,
): Promise<Written> {
  // the cache holds prompt + new tokens: beyond the model's positions it would not be the same work
  if (hasKvCache(h) && prompt.length + steps <= window) {
    const r = await kvDecode(h, prompt, steps, pick, onToken);
    return { ...r, decode: 'KV cache, one token per step' };
  }
  const ids = [...prompt];
  const tokens: number[] = [];
  const ms: number[] = [];
  for (let i = 0; i < steps; i++) {
    const context = ids.slice(Math.max(0, ids.length - window));
    const out = await runLogits(h, BigInt64Array.from(context, (x) => BigInt(x)));
    const next = pick(out.logits.subarray((context.length - 1) * out.vocab, context.length * out.vocab));
    ids.push(next);
    tokens.push(next);
    ms.push(out.ms);
    await onToken(i);
  }
  return { tokens, promptMs: ms[0], stepMs: ms.slice(1), decode: 'prefill per token (no KV cache)' };
}
