/**
 * The affine kernels (int4-group, int8-channel, rtn) and nf4's count the inputs that are NaN or
 * ±Infinity themselves, and fp16's WebGPU path does in the host's pass over its halves, so on
 * WebGPU the host skips its own scan of every weight (registry.ts gpuCountsNonFinite). A
 * non-finite input must still be refused with the CPU path's message, the same flat index named:
 * in a padded row's last lane, in an (out, in) weight, and in the last of several chunks. Run by
 * the kernel harness (e2e/harness/kernels.ts) as cases of e2e/kernels.spec.ts: a case's `error`
 * says how the value got through.
 */
import { compressTensor } from '../../workers/compression/registry';
import { gridSettings } from '../../workers/compression/shared/gpu';
import type { MethodId, MethodOptions } from '../../workers/api';
import type { WeightLayout } from '../../workers/compression/types';
import type { CaseReport } from './kernels';

interface NonFiniteCase {
  method: MethodId;
  options: MethodOptions;
  shape: [number, number];
  layout: WeightLayout;
  /** flat index and value put in a tensor of finite weights */
  at: number;
  value: number;
  /** weights per chunk (affine-gpu.ts), 0 = the default */
  chunkWeights?: number;
}

const CASES: NonFiniteCase[] = [
  // 4097 columns: a padded row; the last weight is the last real lane of its vec4
  { method: 'int4-group', options: { groupSize: 32 }, shape: [33, 4097], layout: 'in_out', at: 33 * 4097 - 1, value: -Infinity },
  { method: 'int4-group', options: { groupSize: 32 }, shape: [7, 13], layout: 'out_in', at: 50, value: NaN },
  { method: 'int8-channel', options: {}, shape: [33, 4097], layout: 'in_out', at: 12_345, value: Infinity },
  { method: 'rtn', options: {}, shape: [13, 7], layout: 'out_in', at: 0, value: NaN },
  { method: 'nf4', options: {}, shape: [33, 4097], layout: 'in_out', at: 33 * 4097 - 2, value: Infinity },
  // fp16 counts them in the host's pass over the halves: a NaN and -Infinity, the last in the last of
  // several chunks (fp16/gpu.ts takes gridSettings.chunkWeights as its chunk size)
  { method: 'fp16', options: {}, shape: [13, 7], layout: 'out_in', at: 40, value: NaN },
  { method: 'fp16', options: {}, shape: [33, 4097], layout: 'in_out', at: 33 * 4097 - 1, value: -Infinity, chunkWeights: 2 * 4096 },
  // 33 rows of 4100 in chunks of 2 rows: the value in the last chunk
  { method: 'int4-group', options: { groupSize: 32 }, shape: [33, 4097], layout: 'out_in', at: 32 * 4097 + 7, value: NaN, chunkWeights: 2 * 4100 },
];

async function refusal(call: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await call();
    return undefined;
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

export async function nonFiniteCases(device: GPUDevice, report: { cases: CaseReport[] }, only: string | null, log: HTMLElement): Promise<void> {
  for (const c of CASES) {
    const name = `non-finite input: ${c.method} ${c.shape.join('x')} ${c.layout}, ${c.value} at ${c.at}${c.chunkWeights ? ', chunked' : ''}`;
    if (only && !name.includes(only)) continue;
    const data = Float32Array.from({ length: c.shape[0] * c.shape[1] }, (_, i) => Math.sin(i * 0.37));
    data[c.at] = c.value;
    const tensor = { name: 'nonfinite', data, shape: c.shape, layout: c.layout };
    const cpu = await refusal(() => compressTensor(c.method, c.options, tensor, 'cpu'));
    gridSettings.chunkWeights = c.chunkWeights ?? 0;
    let gpu: string | undefined;
    try {
      gpu = await refusal(() => compressTensor(c.method, c.options, tensor, 'webgpu', device));
    } finally {
      gridSettings.chunkWeights = 0;
    }
    let error: string | undefined;
    if (!cpu?.includes(`flat index ${c.at} is not finite`)) error = `the TS path did not refuse it as expected: ${cpu ?? 'resolved'}`;
    else if (gpu === undefined) error = 'the WGSL path resolved: the value got through';
    else if (gpu !== cpu) error = `the WGSL path refused it otherwise: ${gpu} (TS: ${cpu})`;
    report.cases.push({ name, n: data.length, codeMismatches: 0, paramMismatches: 0, floatBitMismatches: 0, maxRelError: 0, statsRelError: 0, sparsity: 0, gpuMs: 0, cpuMs: 0, timedRuns: 0, gpuParts: '', cpuParts: '', ...(error ? { error } : {}) });
    log.textContent += `${name}: ${error ? `MISSED ${error}` : `ok (${gpu})`}\n`;
  }
}
