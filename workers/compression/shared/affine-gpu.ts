/**
 * Dispatch of shared/affine-quantize.wgsl: given the per-group scales and zero points already on
 * the GPU, quantize the weights in place and read back dequantized weights, codes and scales.
 */
import type { LinearView } from '../layout';
import type { WeightTensor } from '../types';
import { dispatch, pipelineFor, storageBuffer, submitAndRead, uniformBuffer } from './gpu';
import QUANTIZE_WGSL from './affine-quantize.wgsl?raw';

/** Must match WORKGROUP_SIZE in affine-quantize.wgsl; each thread handles 4 elements. */
const WORKGROUP_SIZE = 64;
const ELEMENTS_PER_THREAD = 4;

export interface GpuGrid {
  groupSize: number;
  nGroups: number;
  /** (out, nGroups) f32 */
  scales: GPUBuffer;
  /** (out, nGroups) u32 */
  zeroPoints: GPUBuffer;
  qmin: number;
  qmax: number;
}

export interface AffineReadback {
  dequantized: Float32Array;
  /** raw code bytes, one per element */
  codeBytes: ArrayBuffer;
  scales: Float32Array;
  zeroPoints: Uint32Array;
}

/**
 * Record the quantize pass on `encoder` (after the method's parameter pass), submit, read back.
 * `weights` holds the input and is overwritten with the dequantized values.
 */
export async function quantizeAffineGpu(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  tensor: WeightTensor,
  view: LinearView,
  weights: GPUBuffer,
  grid: GpuGrid,
): Promise<AffineReadback> {
  const n = tensor.data.length;
  const params = uniformBuffer(device, 'affine params', [
    n, tensor.shape[1], tensor.layout === 'in_out' ? 1 : 0, grid.groupSize, grid.nGroups, grid.qmin, grid.qmax,
  ]);
  const codes = storageBuffer(device, 'codes', n);
  const threads = Math.ceil(n / ELEMENTS_PER_THREAD);
  const pipeline = pipelineFor(device, 'affine-quantize', QUANTIZE_WGSL);
  dispatch(device, encoder, pipeline, [params, weights, grid.scales, grid.zeroPoints, codes], Math.ceil(threads / WORKGROUP_SIZE));
  const nParams = view.outDim * grid.nGroups;
  const [deq, codeBytes, scales, zps] = await submitAndRead(device, encoder, [
    { buffer: weights, bytes: n * 4 },
    { buffer: codes, bytes: n },
    { buffer: grid.scales, bytes: nParams * 4 },
    { buffer: grid.zeroPoints, bytes: nParams * 4 },
  ]);
  params.destroy();
  codes.destroy();
  return { dequantized: new Float32Array(deq), codeBytes, scales: new Float32Array(scales), zeroPoints: new Uint32Array(zps) };
}
