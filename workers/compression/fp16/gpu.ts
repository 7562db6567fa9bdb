/** fp16 on WebGPU: one pass of fp16-round.wgsl (integer bit math, no shader-f16 needed). */
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import type { CompressionParts, WeightTensor } from '../types';
import ROUND_WGSL from './fp16-round.wgsl?raw';

/** Must match WORKGROUP_SIZE and ELEMENTS_PER_THREAD in fp16-round.wgsl. */
const WORKGROUP_SIZE = 64;
const ELEMENTS_PER_THREAD = 16;

export async function fp16Gpu(device: GPUDevice, tensor: WeightTensor): Promise<CompressionParts> {
  const n = tensor.data.length;
  const run = new KernelRun(device, 'fp16');
  try {
    const weights = await run.upload('weights', tensor.data);
    const codes = run.storage('half codes', n * 2);
    const clamped = run.storage('clamped count', 4);
    run.encoder.clearBuffer(clamped); // pooled buffers keep old contents
    const threads = Math.ceil(n / ELEMENTS_PER_THREAD);
    const uniform = run.uniform('fp16 params', [n]);
    run.dispatch(pipelineFor(device, 'fp16-round', ROUND_WGSL), [uniform, weights, codes, clamped], Math.ceil(threads / WORKGROUP_SIZE));
    const [deq, codeBytes, count] = await run.finish([
      { buffer: weights, bytes: n * 4 },
      { buffer: codes, bytes: n * 2 },
      { buffer: clamped, bytes: 4 },
    ]);
    return { dequantized: new Float32Array(deq), codes: new Uint16Array(codeBytes), clamped: new Uint32Array(count)[0] };
  } finally {
    run.close();
  }
}
