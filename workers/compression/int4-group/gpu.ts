/** int4-group on WebGPU: group-params.wgsl (one thread per group), then the shared quantize pass. */
import { inverseLevels, MIN_SCALE } from '../shared/affine';
import { quantizeAffineGpu } from '../shared/affine-gpu';
import { dispatch, f32Bits, pipelineFor, release, storageBuffer, uniformBuffer, uploadBuffer } from '../shared/gpu';
import { linearView } from '../layout';
import type { CompressionParts, WeightTensor } from '../types';
import PARAMS_WGSL from './group-params.wgsl?raw';
import { INT4_QMAX, type Int4GroupOptions } from './meta';

/** Must match WORKGROUP_SIZE in group-params.wgsl. */
const WORKGROUP_SIZE = 64;

export async function int4GroupGpu(device: GPUDevice, tensor: WeightTensor, options: Int4GroupOptions): Promise<CompressionParts> {
  const view = linearView(tensor.shape, tensor.layout);
  const { groupSize } = options;
  const nGroups = Math.ceil(view.inDim / groupSize);
  const nParams = view.outDim * nGroups;
  const weights = uploadBuffer(device, 'weights', tensor.data);
  const scales = storageBuffer(device, 'scales', nParams * 4);
  const zeroPoints = storageBuffer(device, 'zero points', nParams * 4);
  const params = uniformBuffer(device, 'group-params params', [
    view.outDim, view.inDim, view.strideOut, view.strideIn, groupSize, nGroups,
    f32Bits(inverseLevels(INT4_QMAX)), f32Bits(MIN_SCALE), INT4_QMAX,
  ]);
  const encoder = device.createCommandEncoder({ label: 'int4-group' });
  dispatch(device, encoder, pipelineFor(device, 'int4-group-params', PARAMS_WGSL), [params, weights, scales, zeroPoints], Math.ceil(nParams / WORKGROUP_SIZE));
  const grid = { groupSize, nGroups, scales, zeroPoints, qmin: 0, qmax: INT4_QMAX };
  const out = await quantizeAffineGpu(device, encoder, tensor, view, weights, grid);
  release(weights, scales, zeroPoints, params);
  return { dequantized: out.dequantized, codes: new Uint8Array(out.codeBytes), scales: out.scales, zeroPoints: Uint8Array.from(out.zeroPoints) };
}
