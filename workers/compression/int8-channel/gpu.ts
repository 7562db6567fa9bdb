/** int8-channel on WebGPU: channel-scale.wgsl (one workgroup per channel), then the shared quantize pass. */
import { inverseLevels, MIN_SCALE } from '../shared/affine';
import { quantizeAffineGpu } from '../shared/affine-gpu';
import { dispatch, f32Bits, pipelineFor, release, storageBuffer, uniformBuffer, uploadBuffer } from '../shared/gpu';
import { linearView } from '../layout';
import type { CompressionParts, WeightTensor } from '../types';
import SCALE_WGSL from './channel-scale.wgsl?raw';
import { INT8_QMAX } from './meta';

export async function int8ChannelGpu(device: GPUDevice, tensor: WeightTensor): Promise<CompressionParts> {
  const view = linearView(tensor.shape, tensor.layout);
  const weights = uploadBuffer(device, 'weights', tensor.data);
  const scales = storageBuffer(device, 'scales', view.outDim * 4);
  const zeroPoints = storageBuffer(device, 'zero points', view.outDim * 4);
  const params = uniformBuffer(device, 'channel-scale params', [
    view.outDim, view.inDim, view.strideOut, view.strideIn, f32Bits(inverseLevels(INT8_QMAX)), f32Bits(MIN_SCALE),
  ]);
  const encoder = device.createCommandEncoder({ label: 'int8-channel' });
  dispatch(device, encoder, pipelineFor(device, 'int8-channel-scale', SCALE_WGSL), [params, weights, scales, zeroPoints], view.outDim);
  const grid = { groupSize: view.inDim, nGroups: 1, scales, zeroPoints, qmin: -INT8_QMAX, qmax: INT8_QMAX };
  const out = await quantizeAffineGpu(device, encoder, tensor, view, weights, grid);
  release(weights, scales, zeroPoints, params);
  return { dequantized: out.dequantized, codes: new Int8Array(out.codeBytes), scales: out.scales };
}
