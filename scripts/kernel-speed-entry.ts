/**
 * One "compression" bench entry for a kernel timed WGSL against TS on one weight (the rows of
 * e2e/harness/kernel-speed.ts and kernel-speed-calibrated.ts), and its log line. Besides the
 * medians, each round's WGSL time over the TS time of the same round (they ran back to back, so
 * they shared the machine's load of that moment), and what those paired ratios say: 'wgsl faster'
 * when every round's is below 1, 'ts faster' when every round's is above 1, else 'tie'.
 */
import type { MethodOptions } from '../workers/api';

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

const round = (x: number, d: number) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);

/** Each round's WGSL over TS, sorted, and the verdict; undefined without the rounds. */
export function pairedRatios(row: TimedKernelRow): { ratios: number[]; verdict: KernelVerdict } | undefined {
  const g = row.wgsl_rounds_ms;
  const t = row.ts_rounds_ms;
  if (!g?.length || g.length !== t?.length) return undefined;
  const ratios = g.map((ms, k) => ms / t[k]).sort((a, b) => a - b);
  const verdict: KernelVerdict = ratios[ratios.length - 1] < 1 ? 'wgsl faster' : ratios[0] > 1 ? 'ts faster' : 'tie';
  return { ratios, verdict };
}

export function kernelSpeedLine(key: string, row: TimedKernelRow): string {
  const paired = pairedRatios(row);
  const rounds = paired ? `; rounds x${paired.ratios.map((r) => r.toFixed(2)).join(' ')}: ${paired.verdict}` : '';
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
        }
      : {}),
    runs: row.runs,
    adapter,
    how,
  };
}
