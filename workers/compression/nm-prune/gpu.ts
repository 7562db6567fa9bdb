/** nm-prune on WebGPU: nm-prune.wgsl, a thread per run of M weights (in_out: 4 channels' runs side by side), rows padded to vec4s. */
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import { paddedStride, readRows, uploadRows } from '../shared/padded-rows';
import type { CompressionParts, WeightTensor } from '../types';
import NM_WGSL from './nm-prune.wgsl?raw';
import { nmOf, type NmPruneOptions } from './meta';

const WORKGROUP_SIZE = 64;

export async function nmPruneGpu(device: GPUDevice, tensor: WeightTensor, options: NmPruneOptions): Promise<CompressionParts> {
  const [keep, m] = nmOf(options.pattern);
  const [rows, cols] = tensor.shape;
  const inOut = tensor.layout === 'in_out';
  const stride = paddedStride(cols);
  const padded = rows * stride;
  const nRuns = Math.ceil((inOut ? rows : cols) / m);
  const tiles = inOut ? stride / 4 : rows;
  const run = new KernelRun(device, 'nm-prune');
  try {
    const weights = run.storage('weights', padded * 4);
    uploadRows(device, weights, tensor.data, 0, rows, cols, stride);
    const mask = run.storage('mask', padded);
    const params = run.uniform('nm-prune params', [tiles, nRuns, rows, stride / 4, cols, keep, m, inOut ? 1 : 0]);
    run.dispatch(pipelineFor(device, 'nm-prune', NM_WGSL), [params, weights, mask], Math.ceil((tiles * nRuns) / WORKGROUP_SIZE));
    const [deq, maskBytes] = await run.finish([
      { buffer: weights, bytes: padded * 4 },
      { buffer: mask, bytes: padded },
    ]);
    if (stride === cols) return { dequantized: new Float32Array(deq), mask: new Uint8Array(maskBytes) };
    const out = { dequantized: new Float32Array(rows * cols), mask: new Uint8Array(rows * cols) };
    readRows(out.dequantized, deq, 0, 0, rows, cols, stride);
    readRows(out.mask, maskBytes, 0, 0, rows, cols, stride);
    return out;
  } finally {
    run.close();
  }
}
