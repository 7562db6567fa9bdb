/**
 * Perplexity by Hugging Face's sliding-window method, as pure code with no ONNX Runtime in it.
 * The engine takes its windows from here (score.ts); the full-logits reduction below serves Node
 * tests. The Node reference (scripts/ppl-node.ts) writes both again on its own, so a bug here
 * cannot cancel out of the comparison with it.
 *
 * The method (transformers docs, "Perplexity of fixed-length models"):
 *   prev_end = 0
 *   for begin in 0, stride, 2·stride, …:
 *     end = min(begin + context, N); trg_len = end - prev_end
 *     labels = ids[begin:end] with all but the last trg_len set to -100
 *     the model shifts: logits at position t-1 score the token at t, so the first token of a
 *     window is never scored (it has no context inside the window)
 *     prev_end = end; stop when end == N
 * So a window scores positions [max(prev_end, begin + 1), end). With stride == context that is
 * every token but the first of each window. ppl = exp(Σ NLL / count).
 */

export interface Window {
  /** first token fed to the model */
  begin: number;
  /** one past the last token fed (window length = end - begin <= context) */
  end: number;
  /** first position whose token is scored; scored positions are [scoreFrom, end) */
  scoreFrom: number;
}

export interface WindowSettings {
  /** tokens in the stream (the first `tokens` of the dataset) */
  tokens: number;
  context: number;
  stride: number;
}

/** Validates settings; returns the problem or null. Callers turn it into a 'BadOption' error. */
export function checkWindowSettings(s: WindowSettings): string | null {
  const int = (v: number) => Number.isInteger(v) && v > 0;
  if (!int(s.tokens) || s.tokens < 2) return `tokens must be an integer >= 2, got ${s.tokens}`;
  if (!int(s.context) || s.context < 2) return `context must be an integer >= 2, got ${s.context}`;
  if (!int(s.stride) || s.stride > s.context) return `stride must be an integer in [1, context=${s.context}], got ${s.stride}`;
  return null;
}

/** The windows that score at least one token, in order. */
export function slidingWindows({ tokens: n, context, stride }: WindowSettings): Window[] {
  const out: Window[] = [];
  let prevEnd = 0;
  for (let begin = 0; begin < n; begin += stride) {
    const end = Math.min(begin + context, n);
    const scoreFrom = Math.max(prevEnd, begin + 1);
    if (scoreFrom < end) out.push({ begin, end, scoreFrom });
    prevEnd = end;
    if (end === n) break;
  }
  return out;
}

/** How many tokens the windows score in total. */
export function scoredCount(windows: Window[]): number {
  return windows.reduce((a, w) => a + (w.end - w.scoreFrom), 0);
}

export interface NllSum {
  /** Σ −log p(token) in nats, accumulated in double */
  sum: number;
  count: number;
}

/**
 * Σ NLL over one window. `logits` is the model output for ids[begin:end], row-major
 * (seq, vocab) with seq = end - begin. The token at position t is scored by row t-1-begin.
 * Log-softmax is computed stably: max-subtract, exp-sum in double.
 */
export function windowNll(logits: Float32Array, vocab: number, ids: ArrayLike<number>, w: Window): NllSum {
  const seq = w.end - w.begin;
  if (logits.length !== seq * vocab) {
    throw new Error(`logits has ${logits.length} values, expected seq ${seq} × vocab ${vocab} = ${seq * vocab}`);
  }
  let sum = 0;
  for (let t = w.scoreFrom; t < w.end; t++) {
    const row = t - 1 - w.begin;
    const target = ids[t];
    if (!(target >= 0 && target < vocab)) throw new Error(`token id ${target} at ${t} outside vocab ${vocab}`);
    sum += rowNll(logits, row * vocab, vocab, target);
  }
  return { sum, count: w.end - w.scoreFrom };
}

/** −log softmax(logits[off : off+vocab])[target], stable. */
export function rowNll(logits: Float32Array, off: number, vocab: number, target: number): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) if (logits[off + v] > max) max = logits[off + v];
  let z = 0;
  for (let v = 0; v < vocab; v++) z += Math.exp(logits[off + v] - max);
  return Math.log(z) + max - logits[off + target];
}

/** Runs the model on ids[begin:end] (batch 1) and returns logits (seq, vocab). */
export type RunWindow = (ids: BigInt64Array) => Promise<{ logits: Float32Array; vocab: number }>;

export interface PerplexityHooks {
  /** called (and awaited) before each window; throw to stop (cancellation) */
  beforeWindow?: (index: number, total: number) => void | Promise<void>;
  /** called after each window with the running totals */
  afterWindow?: (index: number, total: number, acc: NllSum) => void;
}

export interface PerplexityCore {
  ppl: number;
  meanNll: number;
  tokensScored: number;
  windows: number;
}

/** Perplexity of `ids[0:settings.tokens]` with one `run` per window, in order. */
export async function slidingPerplexity(
  ids: ArrayLike<number>,
  settings: WindowSettings,
  run: RunWindow,
  hooks: PerplexityHooks = {},
): Promise<PerplexityCore> {
  const bad = checkWindowSettings(settings);
  if (bad) throw new Error(bad);
  if (ids.length < settings.tokens) throw new Error(`asked for ${settings.tokens} tokens, the stream has ${ids.length}`);
  const windows = slidingWindows(settings);
  const acc: NllSum = { sum: 0, count: 0 };
  for (let i = 0; i < windows.length; i++) {
    await hooks.beforeWindow?.(i, windows.length);
    const w = windows[i];
    const input = new BigInt64Array(w.end - w.begin);
    for (let t = w.begin; t < w.end; t++) input[t - w.begin] = BigInt(ids[t]);
    const { logits, vocab } = await run(input);
    const part = windowNll(logits, vocab, ids, w);
    acc.sum += part.sum;
    acc.count += part.count;
    hooks.afterWindow?.(i, windows.length, acc);
  }
  const meanNll = acc.sum / acc.count;
  return { ppl: Math.exp(meanNll), meanNll, tokensScored: acc.count, windows: windows.length };
}

/** Median and 90th percentile (nearest rank) of a list of numbers. */
export function medianP90(xs: number[]): { median: number; p90: number } {
  if (xs.length === 0) throw new Error('no samples');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  const p90 = s[Math.min(s.length - 1, Math.ceil(0.9 * s.length) - 1)];
  return { median, p90 };
}
