/**
 * SparseGPT harness: the WebGPU path (sparsegpt.wgsl or, for N:M, nm-batch.ts's kernel, with the
 * lazy update) against sparseGptReference on deterministic awkward shapes (1×1, 7×13, 13×7, K not a multiple
 * of the N:M run, K = 300 across mask blocks of 128), both layouts, unstructured and N:M, weights
 * with ties, a dead input (H_ii = 0), with Hessians of correlated activations. Masks are compared
 * byte for byte, pruned/updated floats bit for bit, and the calibration loss. Results land in
 * window.__sparsegpt for e2e/sparsegpt.spec.ts.
 */
import { accumulateHessian } from '../../workers/calibration/accumulate';
import { getKernelGpu } from '../../workers/compression/gpu-device';
import { compressTensor } from '../../workers/compression/registry';
import type { WeightLayout } from '../../workers/compression/types';
import { seededRandom } from '../../workers/seeded-random';

export interface SparseGptCase {
  name: string;
  n: number;
  maskMismatches: number;
  bitMismatches: number;
  maxRelError: number;
  lossRelError: number;
  sparsity: number;
  gpuMs: number;
  cpuMs: number;
  error?: string;
}

export interface SparseGptReport {
  done: boolean;
  adapter?: string;
  error?: string;
  cases: SparseGptCase[];
}

declare global {
  interface Window {
    __sparsegpt: SparseGptReport;
  }
}

const report: SparseGptReport = { done: false, cases: [] };
window.__sparsegpt = report;
const log = (s: string) => (document.getElementById('log')!.textContent += `${s}\n`);

/** H = Xᵀ X of 3·K rows of correlated activations (shared factors, louder columns), one input dead. */
function hessian(k: number, seed: number, deadInput: boolean): Float32Array {
  const r = seededRandom(seed);
  const rows = 3 * k + 4;
  const x = new Float32Array(rows * k);
  for (let n = 0; n < rows; n++) {
    const f = [r() - 0.5, r() - 0.5, r() - 0.5];
    for (let i = 0; i < k; i++) x[n * k + i] = deadInput && i === k >> 1 ? 0 : (f[i % 3] + 0.5 * (r() - 0.5)) * (1 + (i % 4));
  }
  const h = new Float32Array(k * k);
  accumulateHessian(h, x, rows, k);
  return h;
}

async function sparseGptCase(device: GPUDevice, shape: [number, number], layout: WeightLayout, options: { ratio?: number; pattern?: string }, fill: 'mixed' | 'levels', deadInput = false): Promise<SparseGptCase> {
  const k = layout === 'out_in' ? shape[1] : shape[0];
  const r = seededRandom(shape[0] * 131 + shape[1] * 7 + (layout === 'in_out' ? 1 : 0));
  const data = Float32Array.from({ length: shape[0] * shape[1] }, () => {
    if (fill === 'levels') return (Math.floor(r() * 5) - 2) * 0.25;
    const u = r();
    return u < 0.05 ? 0 : u < 0.06 ? -0 : (r() - 0.5) * (u < 0.1 ? 8 : 1);
  });
  const tensor = { name: 'w', data, shape, layout, calibration: { input: 'x', rows: 1, cols: k, hessian: hessian(k, k * 17 + shape[0], deadInput) } };
  const opts = Object.entries(options).map(([a, b]) => `${a}=${b}`).join(',');
  const name = `sparsegpt(${opts}) ${shape.join('x')} ${layout} ${fill}${deadInput ? ' dead input' : ''}`;
  const c = await compressTensor('sparsegpt', options, tensor, 'cpu');
  const g = await compressTensor('sparsegpt', options, tensor, 'webgpu', device);
  let bitMismatches = 0;
  let maskMismatches = 0;
  let maxRelError = 0;
  for (let e = 0; e < data.length; e++) {
    if (!Object.is(c.dequantized[e], g.dequantized[e])) bitMismatches++;
    if (c.mask![e] !== g.mask![e]) maskMismatches++;
    const d = Math.abs(c.dequantized[e] - g.dequantized[e]);
    if (d > 0) maxRelError = Math.max(maxRelError, d / Math.max(Math.abs(c.dequantized[e]), 1e-30));
  }
  const lossRelError = Math.abs(c.loss! - g.loss!) / Math.max(Math.abs(c.loss!), 1e-30);
  return { name, n: data.length, bitMismatches, maskMismatches, maxRelError, lossRelError, sparsity: c.stats.sparsity, gpuMs: g.kernelMs, cpuMs: c.kernelMs };
}

async function main(): Promise<void> {
  const { device, adapter } = await getKernelGpu();
  report.adapter = adapter;
  const runs: (() => Promise<SparseGptCase>)[] = [];
  for (const layout of ['out_in', 'in_out'] as const) {
    for (const shape of [[7, 13], [13, 7], [33, 65]] as [number, number][]) {
      runs.push(() => sparseGptCase(device, shape, layout, { ratio: 0.5 }, 'mixed'));
      runs.push(() => sparseGptCase(device, shape, layout, { pattern: '2:4' }, 'mixed'));
    }
    runs.push(() => sparseGptCase(device, [30, 9], layout, { pattern: '4:8' }, 'levels'));
    runs.push(() => sparseGptCase(device, [9, 30], layout, { ratio: 0.3 }, 'levels', true));
  }
  runs.push(() => sparseGptCase(device, [1, 1], 'out_in', { ratio: 0.5 }, 'mixed'));
  // K = 300: three mask blocks (128, 128, 44), 100 rows (two workgroups, the second ragged)
  runs.push(() => sparseGptCase(device, [100, 300], 'out_in', { ratio: 0.5 }, 'mixed', true));
  runs.push(() => sparseGptCase(device, [300, 100], 'in_out', { pattern: '2:4' }, 'mixed'));
  // no −0 weight: the N:M batch kernel and the lazy update without EXACT's selects (as the bench's 2:4 row runs); K = 300: updates
  // inside a span of 128 columns and across spans (sparsegpt/lazy-span.ts), a short last batch (12 columns)
  runs.push(() => sparseGptCase(device, [40, 300], 'out_in', { pattern: '2:4' }, 'levels'));
  for (const run of runs) {
    try {
      const c = await run();
      report.cases.push(c);
      log(`${c.name}: ${c.maskMismatches} mask bytes, ${c.bitMismatches} float bits differ, max rel ${c.maxRelError}, loss rel ${c.lossRelError}, sparsity ${c.sparsity.toFixed(3)}, gpu ${c.gpuMs.toFixed(0)} ms cpu ${c.cpuMs.toFixed(0)} ms`);
    } catch (e) {
      report.cases.push({ name: `case ${report.cases.length}`, n: 0, maskMismatches: 0, bitMismatches: 0, maxRelError: 0, lossRelError: 0, sparsity: 0, gpuMs: 0, cpuMs: 0, error: String((e as Error).message ?? e) });
    }
  }
}

main()
  .catch((e) => (report.error = String((e as Error).message ?? e)))
  .finally(() => (report.done = true));
