/**
 * Kernel time of every method with a WGSL kernel, WGSL against its TS path, on one weight of the
 * 124 M GPT-2 shape (the MLP's c_fc, 768 × 3072, stored (in, out) as GPT-2's Conv1D keeps it, filled
 * like trained weights: seeded normal-ish values). Each method runs once per device to warm up
 * (pipelines compiled, pooled buffers made), then `runs` rounds interleaved WGSL, TS, WGSL, TS …;
 * the medians are the kernel times compressTensor reports (upload, dispatches and readback on WGSL).
 * window.__kernelSpeed holds the result (scripts/bench-variants.ts reads it).
 * By hand (scripts/kernel-speed.ts): ?only=<method>; ?shape=<rows>x<cols>; ?debug=1 logs where fp16's WGSL time goes;
 * ?floor=1 adds the time of the same bytes up and back around an empty kernel (`floor`, ms).
 */
import type { MethodId, MethodOptions } from '../../workers/api';
import { getKernelGpu } from '../../workers/compression/gpu-device';
import { compressTensor } from '../../workers/compression/registry';
import { fp16Timing } from '../../workers/compression/fp16/gpu';
import { seededRandom } from '../../workers/seeded-random';
import { floorTimes } from './kernel-speed-floor';

export interface KernelSpeedRow {
  method: MethodId;
  options: MethodOptions;
  shape: [number, number];
  wgsl_kernel_ms: number;
  ts_kernel_ms: number;
  runs: number;
  /** each interleaved round's time, in order (round k's WGSL ran just before its TS) */
  wgsl_rounds_ms: number[];
  ts_rounds_ms: number[];
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

async function run(): Promise<{ adapter?: string; rows: KernelSpeedRow[]; floor?: Record<string, number> }> {
  const params = new URLSearchParams(location.search);
  const runs = Number(params.get('runs') ?? 3);
  // ?only=<method> times one method (by hand, while working on its kernel)
  const only = params.get('only');
  const debug = params.get('debug') !== null;
  // ?shape=50257x768: another weight's shape (by hand: the token table, say)
  const shape = (params.get('shape')?.split('x').map(Number) ?? [768, 3072]) as [number, number];
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
    fp16Timing.on = debug;
    fp16Timing.phases = [];
    const logPhases = (what: string) => {
      const phases = Object.keys(fp16Timing.phases[0] ?? {});
      const stat = (p: string) => fp16Timing.phases.map((t) => t[p]);
      log.textContent += `fp16 ${what} (median / min of ${runs}): ${phases.map((p) => `${p} ${median(stat(p)).toFixed(1)} / ${Math.min(...stat(p)).toFixed(1)}`).join(', ')} ms\n`;
    };
    for (let k = 0; k < runs; k++) {
      g.push(await time('webgpu'));
      c.push(await time('cpu'));
    }
    rows.push({ method, options, shape, wgsl_kernel_ms: median(g), ts_kernel_ms: median(c), runs, wgsl_rounds_ms: g, ts_rounds_ms: c });
    log.textContent += `${method}: wgsl ${median(g).toFixed(1)} ms, ts ${median(c).toFixed(1)} ms\n`;
    // ?debug=1: fp16's phases (separate submits, so after the timed rounds: they cost time of their own)
    if (debug && method === 'fp16') {
      const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b).map((x) => x.toFixed(0)).join(' ');
      log.textContent += `fp16 rounds, sorted (ms): wgsl ${sorted(g)}; ts ${sorted(c)}\n`;
      logPhases('phases in those rounds');
      fp16Timing.split = true;
      fp16Timing.phases = [];
      for (let k = 0; k < runs; k++) await time('webgpu');
      fp16Timing.split = false;
      logPhases('phases, each step submitted and awaited alone');
    }
    fp16Timing.on = false;
  }
  // ?floor=1: the same weight's bytes up and back with an empty kernel, no computing (kernel-speed-floor.ts)
  let floor: Record<string, number> | undefined;
  if (params.get('floor')) {
    const b = data.byteLength;
    floor = await floorTimes(gpu.device, data, [
      { upload: 'mapped', up: b, down: b * 1.5 },
      { upload: 'mapped', up: b, down: b / 2 },
      { upload: 'write', up: b, down: b / 2 },
      { upload: 'mapped', up: b, down: b },
      { upload: 'mapped', up: b, down: 4 },
      { upload: 'write', up: b, down: 4 },
      { upload: 'mapped', up: 4, down: b / 2 },
      // the kernels' pooled staging is 16 MB (affine-gpu.ts CHUNK_WEIGHTS): mapped whole, or over the upload
      // (on 7582402, load 4–6: within 0.3–1.6 ms of each other, so the pool maps its staging whole)
      { upload: 'mapped', up: b, down: b / 4, staging: 16 * 2 ** 20 },
      { upload: 'mapped', up: b, down: b / 4, staging: 16 * 2 ** 20, mapUp: true },
      { upload: 'mapped', up: b / 4, down: b / 16, staging: 16 * 2 ** 20 },
      { upload: 'mapped', up: b / 4, down: b / 16, staging: 16 * 2 ** 20, mapUp: true },
    ], runs);
    for (const [k, ms] of Object.entries(floor)) log.textContent += `floor: ${k}: ${ms.toFixed(1)} ms\n`;
  }
  return { adapter: gpu.adapter, rows, floor };
}

const w = window as unknown as { __kernelSpeed?: { done: boolean; adapter?: string; rows?: KernelSpeedRow[]; floor?: Record<string, number>; error?: string } };
w.__kernelSpeed = { done: false };
run().then(
  (r) => (w.__kernelSpeed = { done: true, ...r }),
  (e) => (w.__kernelSpeed = { done: true, error: String((e as Error)?.message ?? e) }),
);
