/**
 * One "compression" bench entry for a kernel timed WGSL against TS on one weight (the rows of
 * e2e/harness/kernel-speed.ts and kernel-speed-calibrated.ts), and its log line. Besides the
 * medians, each round's WGSL time over the TS time of the same round (they ran back to back, so
 * they shared the machine's load of that moment), and what those paired ratios say, by a
 * two-sided sign test over the rounds: 'wgsl faster' when more rounds are below 1 than above and
 * p < 0.05 (so with 9 rounds at least 8 below, p = 0.039; with 6 or 7, every one; with 5 or
 * fewer no verdict is possible), 'ts faster' likewise above 1, else 'tie'.
 */
import type { MethodOptions } from '../workers/api';
import { signTestP } from './sign-test';

export interface TimedKernelRow {
  options?: MethodOptions;
  shape: [number, number];
  wgsl_kernel_ms: number;
  ts_kernel_ms: number;
  runs: number;
  wgsl_rounds_ms?: number[];
  ts_rounds_ms?: number[];
}

export type KernelVerdict = 'wgsl faster' | 'ts faster' | 'tie';

/**
 * Rounds the bench times a kernel row (both pages). Were the two paths equally fast, 8 or more of
 * 9 would agree with probability 0.039, where all of 3 would with 0.25: a verdict from 3 rounds
 * said little, and one that asked every round to agree (as it did until 30 Nov) read 'tie' on a
 * single disturbed round, the more often the more rounds were run. It costs the bench ~1.5 min.
 */
export const BENCH_KERNEL_ROUNDS = 9;

/** The verdict's significance level (two-sided). */
const VERDICT_P = 0.05;

const round = (x: number, d: number) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);

/**
 * Each round's WGSL over TS, sorted, the verdict and its two-sided sign-test p (rounds that read
 * exactly 1 count for neither side); undefined without the rounds.
 */
export function pairedRatios(row: TimedKernelRow): { ratios: number[]; verdict: KernelVerdict; p: number } | undefined {
  const g = row.wgsl_rounds_ms;
  const t = row.ts_rounds_ms;
  if (!g?.length || g.length !== t?.length) return undefined;
  const ratios = g.map((ms, k) => ms / t[k]).sort((a, b) => a - b);
  const below = ratios.filter((r) => r < 1).length;
  const above = ratios.filter((r) => r > 1).length;
  const p = Math.min(1, 2 * signTestP(Math.max(below, above), below + above));
  // an even split gives p = 1, so a verdict always has a side
  const verdict: KernelVerdict = p >= VERDICT_P ? 'tie' : below > above ? 'wgsl faster' : 'ts faster';
  return { ratios, verdict, p };
}

export function kernelSpeedLine(key: string, row: TimedKernelRow): string {
  const paired = pairedRatios(row);
  const rounds = paired ? `; rounds x${paired.ratios.map((r) => r.toFixed(2)).join(' ')}: ${paired.verdict}, sign test p ${paired.p.toPrecision(2)}` : '';
  return `compression: ${key} wgsl ${row.wgsl_kernel_ms.toFixed(1)} ms, ts ${row.ts_kernel_ms.toFixed(1)} ms (x${(row.wgsl_kernel_ms / row.ts_kernel_ms).toFixed(2)}${rounds})`;
}

export function kernelSpeedEntry(row: TimedKernelRow, adapter: string | undefined, how: string): Record<string, unknown> {
  const paired = pairedRatios(row);
  return {
    ...(row.options ? { options: row.options } : {}),
    weights: 1,
    params: row.shape[0] * row.shape[1],
    shape: row.shape,
    layout: 'in_out',
    make_ms: null,
    copy_ms: null,
    wgsl_kernel_ms: round(row.wgsl_kernel_ms, 1),
    ts_kernel_ms: round(row.ts_kernel_ms, 1),
    wgsl_over_ts: round(row.wgsl_kernel_ms / row.ts_kernel_ms, 2),
    ...(paired
      ? {
          wgsl_rounds_ms: row.wgsl_rounds_ms!.map((ms) => round(ms, 1)),
          ts_rounds_ms: row.ts_rounds_ms!.map((ms) => round(ms, 1)),
          paired_wgsl_over_ts: paired.ratios.map((r) => round(r, 2)),
          verdict: paired.verdict,
          sign_test_p: Number(paired.p.toPrecision(3)),
        }
      : {}),
    runs: row.runs,
    adapter,
    how,
  };
}
