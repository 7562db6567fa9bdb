import { describe, expect, it } from 'vitest';
import { kernelSpeedEntry, pairedRatios } from '../scripts/kernel-speed-entry';
import { signTestP } from '../scripts/sign-test';

const row = (g: number[], t: number[]) => ({ shape: [2, 3] as [number, number], wgsl_kernel_ms: 0, ts_kernel_ms: 1, runs: g.length, wgsl_rounds_ms: g, ts_rounds_ms: t });
/** `n` rounds of TS 10 ms, WGSL `faster` of them at 8 ms and the rest at 12 */
const rounds = (n: number, faster: number) => row(Array.from({ length: n }, (_, k) => (k < faster ? 8 : 12)), Array(n).fill(10));

describe('kernel rows: paired ratios and verdict', () => {
  it('pairs each round with its own TS time, not the sorted medians', () => {
    // medians alone would read 20 vs 20; every round, the WGSL ran faster than the TS beside it
    const g = [10, 20, 30, 10, 20, 30, 20];
    const t = [12, 25, 35, 12, 25, 35, 25];
    expect(pairedRatios(row(g, t))).toMatchObject({ ratios: g.map((x, k) => x / t[k]).sort((a, b) => a - b), verdict: 'wgsl faster' });
  });
  it('decides by a two-sided sign test at p < 0.05: one disturbed round of 9 does not make a tie, two do', () => {
    expect(pairedRatios(rounds(9, 8))).toMatchObject({ verdict: 'wgsl faster', p: 2 * (10 / 512) });
    expect(pairedRatios(rounds(9, 7))?.verdict).toBe('tie');
    expect(pairedRatios(rounds(9, 1))?.verdict).toBe('ts faster');
    expect(pairedRatios(rounds(7, 7))?.verdict).toBe('wgsl faster');
    expect(pairedRatios(rounds(7, 6))?.verdict).toBe('tie');
  });
  it('gives no verdict from too few rounds, or from rounds that read exactly 1', () => {
    // all of 3 agreeing happens 1 time in 4 by chance
    expect(pairedRatios(rounds(3, 3))).toMatchObject({ verdict: 'tie', p: 0.25 });
    expect(pairedRatios(row([12, 12], [12, 12]))).toMatchObject({ verdict: 'tie', p: 1 });
  });
  it('gives no verdict without rounds, or with rounds that do not pair', () => {
    expect(pairedRatios({ shape: [1, 1], wgsl_kernel_ms: 1, ts_kernel_ms: 1, runs: 3 })).toBeUndefined();
    expect(pairedRatios(row([1, 2], [1]))).toBeUndefined();
    expect(kernelSpeedEntry(row([1, 2], [1]), 'x', 'y')).not.toHaveProperty('verdict');
  });
  it('puts the rounds, the verdict and its p in the bench entry', () => {
    const e = kernelSpeedEntry(row([10.04, 20], [12, 25]), 'swiftshader', 'how');
    expect(e).toMatchObject({ wgsl_rounds_ms: [10, 20], ts_rounds_ms: [12, 25], paired_wgsl_over_ts: [0.8, 0.84], verdict: 'tie', sign_test_p: 0.5 });
  });
});

describe('sign test', () => {
  it('is the binomial tail at p = 1/2', () => {
    expect(signTestP(0, 5)).toBe(1);
    expect(signTestP(5, 5)).toBe(1 / 32);
    expect(signTestP(8, 9)).toBe(10 / 512);
    expect(signTestP(3, 4)).toBe(5 / 16);
  });
});
