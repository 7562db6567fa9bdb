/**
 * Summaries of per-token scores: perplexity with a bootstrap interval, bits per byte, and the
 * comparison with the base model (KL, top-1 agreement, Δp of the correct token). Deterministic:
 * the bootstrap draws from a fixed-seed generator, so the same scores give the same digits.
 */
import type { KlStats, PerplexityStats } from '../api';
import { seededRandom } from '../seeded-random';
import type { TokenScores } from './score';

export const BOOTSTRAP = Object.freeze({ resamples: 1000, seed: 0x5eed });
const LN2 = Math.LN2;

/** Linear-interpolated percentile of sorted values (numpy's default), q in [0, 100]. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (!n) return NaN;
  const x = (q / 100) * (n - 1);
  const lo = Math.floor(x);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (x - lo);
}

const sortedCopy = (xs: ArrayLike<number>) => Float64Array.from(xs).sort();

/**
 * 95 % interval of the perplexity by resampling whole windows with replacement (tokens inside a
 * window are not independent). One window gives no interval: [ppl, ppl].
 */
export function bootstrapPpl(nll: ArrayLike<number>, window: ArrayLike<number>, windows: number): [number, number] {
  const sums = new Float64Array(windows);
  const counts = new Float64Array(windows);
  for (let i = 0; i < nll.length; i++) {
    sums[window[i]] += nll[i];
    counts[window[i]]++;
  }
  const rand = seededRandom(BOOTSTRAP.seed);
  const ppls = new Float64Array(BOOTSTRAP.resamples);
  for (let b = 0; b < ppls.length; b++) {
    let s = 0;
    let c = 0;
    for (let j = 0; j < windows; j++) {
      const w = Math.floor(rand() * windows);
      s += sums[w];
      c += counts[w];
    }
    ppls[b] = Math.exp(s / c);
  }
  ppls.sort();
  return [percentile(ppls, 2.5), percentile(ppls, 97.5)];
}

/** Σ in double of a float array. */
const sum = (xs: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s;
};

/** tokenBytes[id] = UTF-8 bytes the token stands for (token-bytes.ts). */
export function perplexityStats(s: TokenScores, tokenIds: ArrayLike<number>, tokenBytes: ArrayLike<number>): PerplexityStats {
  const n = s.nll.length;
  const meanNll = sum(s.nll) / n;
  let bytes = 0;
  for (let i = 0; i < n; i++) bytes += tokenBytes[tokenIds[s.positions[i]]] ?? 0;
  return {
    ppl: Math.exp(meanNll),
    meanNll,
    tokensScored: n,
    windows: s.windows,
    ci95: bootstrapPpl(s.nll, s.window, s.windows),
    bytesScored: bytes,
    bitsPerByte: bytes > 0 ? (meanNll * n) / LN2 / bytes : NaN,
  };
}

/** KL(base ‖ variant) and agreement, from a pair-graph scoring. */
export function klStats(s: TokenScores): KlStats {
  if (!s.kl || !s.baseNll || !s.baseTop1) throw new Error('these scores have no base model to compare with');
  const n = s.kl.length;
  const kl = sortedCopy(s.kl);
  const dp = new Float64Array(n);
  let same = 0;
  for (let i = 0; i < n; i++) {
    // Δp of the correct token: p_variant − p_base
    dp[i] = Math.exp(-s.nll[i]) - Math.exp(-s.baseNll[i]);
    if (s.top1[i] === s.baseTop1[i]) same++;
  }
  const dpSorted = Float64Array.from(dp).sort();
  const baseMean = sum(s.baseNll) / n;
  const varMean = sum(s.nll) / n;
  return {
    tokens: n,
    mean: sum(s.kl) / n,
    median: percentile(kl, 50),
    p99: percentile(kl, 99),
    max: kl[n - 1],
    top1: same / n,
    deltaP: {
      mean: sum(dp) / n,
      p1: percentile(dpSorted, 1), p5: percentile(dpSorted, 5), p50: percentile(dpSorted, 50), p95: percentile(dpSorted, 95), p99: percentile(dpSorted, 99),
    },
    basePpl: Math.exp(baseMean),
    pplRatio: Math.exp(varMean - baseMean),
  };
}
