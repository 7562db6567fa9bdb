/**
 * One "compression" bench entry for a kernel timed WGSL against TS on one weight (the rows of
 * e2e/harness/kernel-speed.ts and kernel-speed-calibrated.ts), and its log line.
 */
import type { MethodOptions } from '../workers/api';

export interface TimedKernelRow {
  options?: MethodOptions;
  shape: [number, number];
  wgsl_kernel_ms: number;
  ts_kernel_ms: number;
  runs: number;
}

const round = (x: number, d: number) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);

export function kernelSpeedLine(key: string, row: TimedKernelRow): string {
  return `compression: ${key} wgsl ${row.wgsl_kernel_ms.toFixed(1)} ms, ts ${row.ts_kernel_ms.toFixed(1)} ms (x${(row.wgsl_kernel_ms / row.ts_kernel_ms).toFixed(2)})`;
}

export function kernelSpeedEntry(row: TimedKernelRow, adapter: string | undefined, how: string): Record<string, unknown> {
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
    runs: row.runs,
    adapter,
    how,
  };
}
