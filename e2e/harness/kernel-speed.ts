/**
 * Kernel time of every method with a WGSL kernel, WGSL against its TS path, on one weight of the
 * 124 M GPT-2 shape (the MLP's c_fc, 768 × 3072, stored (in, out) as GPT-2's Conv1D keeps it, filled
 * like trained weights: seeded normal-ish values). Each method runs once per device to warm up
 * (pipelines compiled, pooled buffers made), then `runs` rounds interleaved WGSL, TS, WGSL, TS …;
 * the medians are the kernel times compressTensor reports (upload, dispatches and readback on WGSL).
 * window.__kernelSpeed holds the result (scripts/bench-variants.ts reads it).
 */
import type { MethodId, MethodOptions } from '../../workers/api';
import { getKernelGpu } from '../../workers/compression/gpu-device';
import { compressTensor } from '../../workers/compression/registry';
import { seededRandom } from '../../workers/seeded-random';

export interface KernelSpeedRow {
  method: MethodId;
  options: MethodOptions;
  shape: [number, number];
  wgsl_kernel_ms: number;
  ts_kernel_ms: number;
  runs: number;
}

const METHODS: [MethodId, MethodOptions][] = [
  ['int4-group', { groupSize: 32 }],
  ['int8-channel', {}],
  ['fp16', {}],
  ['magnitude-prune', { ratio: 0.5 }],
  ['nm-prune', { pattern: '2:4' }],
  ['rtn', { bits: 4, groupSize: 32, symmetric: false }],
  ['nf4', {}],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function run(): Promise<{ adapter?: string; rows: KernelSpeedRow[] }> {
  const params = new URLSearchParams(location.search);
  const runs = Number(params.get('runs') ?? 3);
  // ?only=<method> times one method (by hand, while working on its kernel)
  const only = params.get('only');
  const shape: [number, number] = [768, 3072];
  const rand = seededRandom(20251129);
  const data = Float32Array.from({ length: shape[0] * shape[1] }, () => (rand() + rand() + rand() - 1.5) * 0.05);
  const gpu = await getKernelGpu();
  const rows: KernelSpeedRow[] = [];
  const log = document.getElementById('log')!;
  for (const [method, options] of METHODS) {
    if (only && method !== only) continue;
    const tensor = { name: method, data, shape, layout: 'in_out' as const };
    const time = async (device: 'webgpu' | 'cpu') => (await compressTensor(method, options, tensor, device, device === 'webgpu' ? gpu.device : undefined)).kernelMs;
    await time('webgpu');
    await time('cpu');
    const g: number[] = [];
    const c: number[] = [];
    for (let k = 0; k < runs; k++) {
      g.push(await time('webgpu'));
      c.push(await time('cpu'));
    }
    rows.push({ method, options, shape, wgsl_kernel_ms: median(g), ts_kernel_ms: median(c), runs });
    log.textContent += `${method}: wgsl ${median(g).toFixed(1)} ms, ts ${median(c).toFixed(1)} ms\n`;
  }
  return { adapter: gpu.adapter, rows };
}

const w = window as unknown as { __kernelSpeed?: { done: boolean; adapter?: string; rows?: KernelSpeedRow[]; error?: string } };
w.__kernelSpeed = { done: false };
run().then(
  (r) => (w.__kernelSpeed = { done: true, ...r }),
  (e) => (w.__kernelSpeed = { done: true, error: String((e as Error)?.message ?? e) }),
);
