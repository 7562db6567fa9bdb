/**
 * Is model A's perplexity lower than model B's beyond the evaluation's noise? The bench's "A < B"
 * laws (AWQ-4 < RTN-4, GPTQ-4 < RTN-4, Wanda-50 % < magnitude-50 %) are decided here, not by a bare
 * `<`: AWQ-4 at 191.0125 against RTN-4 at 191.0352 (0.012 %) is a tie on 4,096 tokens, not a law.
 *
 * Both models score the same tokens, so the noise that matters is that of the paired difference
 * d_t = NLL_B(t) − NLL_A(t), whose mean is log(ppl_B / ppl_A). Its standard error is taken two
 * ways and the larger kept: over the windows (each window's mean difference; tokens inside a
 * window are correlated, so the per-token SE alone could be too small) and over single tokens
 * (with 16 windows the window SE is itself uncertain). docs/laws.md measured the AWQ tie this way
 * (scripts/awq-evidence.ts). A < B holds when the gap exceeds NOISE_SE of these standard errors.
 */

/** A < B holds when B's mean NLL exceeds A's by more than this many paired standard errors. */
export const NOISE_SE = 2;

export interface PairedGap {
  /** log(ppl_B / ppl_A): B's mean NLL minus A's over the same tokens, nats */
  gap_nll: number;
  /** the SE of that mean over windows, and over single tokens, nats */
  se_window: number;
  se_token: number;
  /** gap_nll / max(se_window, se_token): positive when A is lower */
  margin_se: number;
  windows: number;
  tokens: number;
}

const mean = (x: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
};

/** standard error of the mean of x */
function se(x: ArrayLike<number>): number {
  const m = mean(x);
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += (x[i] - m) ** 2;
  return Math.sqrt(ss / (x.length - 1) / x.length);
}

/** The paired gap of B over A; `a` and `b` hold each window's per-token NLL on the same tokens. */
export function pairedGap(a: readonly Float64Array[], b: readonly Float64Array[]): PairedGap {
  if (a.length !== b.length || a.some((w, k) => w.length !== b[k].length)) throw new Error('pairedGap: the two models scored different tokens');
  const d = new Float64Array(a.reduce((n, w) => n + w.length, 0));
  const byWindow = new Float64Array(a.length);
  let at = 0;
  a.forEach((w, k) => {
    for (let t = 0; t < w.length; t++) d[at + t] = b[k][t] - w[t];
    // weighted by the window's share of the tokens, so the windows' mean is the tokens' mean
    byWindow[k] = (mean(d.subarray(at, at + w.length)) * w.length * a.length) / d.length;
    at += w.length;
  });
  const gap = mean(d);
  const [seW, seT] = [se(byWindow), se(d)];
  return { gap_nll: gap, se_window: seW, se_token: seT, margin_se: gap / Math.max(seW, seT), windows: a.length, tokens: d.length };
}

/** ppl from per-window per-token NLL */
export const pplOfNll = (nll: readonly Float64Array[]): number => {
  let s = 0;
  let n = 0;
  for (const w of nll) {
    for (let t = 0; t < w.length; t++) s += w[t];
    n += w.length;
  }
  return Math.exp(s / n);
};
