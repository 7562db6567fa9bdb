/**
 * The paired noise the calibrated "A < B" laws are decided against (scripts/paired-gap.ts): the gap
 * is log(ppl_B / ppl_A) exactly, and when the difference moves with whole windows (tokens inside a
 * window correlated) the window SE is the larger and is the one used.
 */
import { describe, expect, it } from 'vitest';
import { pairedGap, pplOfNll } from '../scripts/paired-gap';

const windows = (f: (k: number, t: number) => number) => Array.from({ length: 16 }, (_, k) => Float64Array.from({ length: 100 }, (_, t) => f(k, t)));

describe('pairedGap', () => {
  it('the gap is log(ppl_B / ppl_A); window-correlated differences take the window SE', () => {
    const a = windows((k, t) => 4 + Math.sin(7 * k + t));
    const b = windows((k, t) => 4 + Math.sin(7 * k + t) + 0.01 + 0.02 * Math.cos(3 * k) + 0.001 * Math.sin(5 * t));
    const g = pairedGap(a, b);
    expect(g.gap_nll).toBeCloseTo(Math.log(pplOfNll(b) / pplOfNll(a)), 12);
    expect(g.se_window).toBeGreaterThan(g.se_token);
    expect(g.margin_se).toBeCloseTo(g.gap_nll / g.se_window, 12);
    expect([g.windows, g.tokens]).toEqual([16, 1600]);
  });

  it('refuses models scored on different tokens', () => {
    expect(() => pairedGap(windows(() => 1), windows(() => 1).slice(1))).toThrow(/different tokens/);
  });
});
