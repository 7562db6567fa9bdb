/** fp16 on WebGPU: one pass of fp16-round.wgsl (integer bit math, no shader-f16 needed), a vec4 a thread. */
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import type { CompressionParts, WeightTensor } from '../types';
import ROUND_WGSL from './fp16-round.wgsl?raw';

/** Must match WORKGROUP_SIZE in fp16-round.wgsl. */
const WORKGROUP_SIZE = 64;

export async function fp16Gpu(device: GPUDevice, tensor: WeightTensor): Promise<CompressionParts> {
  const n = tensor.data.length;
  const run = new KernelRun(device, 'fp16');
  try {
    // whole vec4s: the kernel binds arrays of vec4 (weights) and vec2 (codes)
    const vec4s = Math.ceil(n / 4);
    const weights = await run.upload('weights', tensor.data, vec4s * 16);
    const codes = run.storage('half codes', vec4s * 8);
    const clamped = run.storage('clamped count', 4);
    run.encoder.clearBuffer(clamped); // pooled buffers keep old contents
    const uniform = run.uniform('fp16 params', [n]);
    run.dispatch(pipelineFor(device, 'fp16-round', ROUND_WGSL), [uniform, weights, codes, clamped], Math.ceil(vec4s / WORKGROUP_SIZE));
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
