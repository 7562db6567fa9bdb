import { describe, expect, it } from 'vitest';
import { kernelSpeedEntry, pairedRatios } from '../scripts/kernel-speed-entry';

const row = (g: number[], t: number[]) => ({ shape: [2, 3] as [number, number], wgsl_kernel_ms: 0, ts_kernel_ms: 1, runs: g.length, wgsl_rounds_ms: g, ts_rounds_ms: t });

describe('kernel rows: paired ratios and verdict', () => {
  it('pairs each round with its own TS time, not the sorted medians', () => {
    // medians alone would read 20 vs 20; every round, the WGSL ran faster than the TS beside it
    expect(pairedRatios(row([10, 20, 30], [12, 25, 35]))).toEqual({ ratios: [10 / 12, 20 / 25, 30 / 35].sort((a, b) => a - b), verdict: 'wgsl faster' });
  });
  it('says ts faster only when every round says so, and tie otherwise', () => {
    expect(pairedRatios(row([13, 26, 36], [12, 25, 35]))?.verdict).toBe('ts faster');
    expect(pairedRatios(row([11, 26, 34], [12, 25, 35]))?.verdict).toBe('tie');
    expect(pairedRatios(row([12], [12]))?.verdict).toBe('tie');
  });
  it('gives no verdict without rounds, or with rounds that do not pair', () => {
    expect(pairedRatios({ shape: [1, 1], wgsl_kernel_ms: 1, ts_kernel_ms: 1, runs: 3 })).toBeUndefined();
    expect(pairedRatios(row([1, 2], [1]))).toBeUndefined();
    expect(kernelSpeedEntry(row([1, 2], [1]), 'x', 'y')).not.toHaveProperty('verdict');
  });
  it('puts the rounds and the verdict in the bench entry', () => {
    const e = kernelSpeedEntry(row([10.04, 20], [12, 25]), 'swiftshader', 'how');
    expect(e).toMatchObject({ wgsl_rounds_ms: [10, 20], ts_rounds_ms: [12, 25], paired_wgsl_over_ts: [0.8, 0.84], verdict: 'wgsl faster' });
  });
});
