/**
 * int8-channel on WebGPU: the shared affine pass (shared/affine-gpu.ts) with one symmetric group
 * per channel. The dequantized weights are made from the codes on the CPU only if someone reads them.
 */
import { dequantizeAffine, inverseLevels } from '../shared/affine';
import { quantizeAffineGpu } from '../shared/affine-gpu';
import { linearView } from '../layout';
import { withLazyDequantized, type CompressionParts, type WeightTensor } from '../types';
import { INT8_QMAX } from './meta';

export async function int8ChannelGpu(device: GPUDevice, tensor: WeightTensor): Promise<CompressionParts> {
  const view = linearView(tensor.shape, tensor.layout);
  const spec = { label: 'int8-channel', symmetric: true, groupSize: 0, invLevels: inverseLevels(INT8_QMAX), qmin: -INT8_QMAX, qmax: INT8_QMAX };
  const out = await quantizeAffineGpu(device, tensor, view, spec);
  const parts = { codes: new Int8Array(out.codeBytes), scales: out.scales, sums: out.sums };
  const grid = { scales: out.scales, zeroPoints: new Uint8Array(view.outDim), groupSize: view.inDim, nGroups: 1 };
  return withLazyDequantized(parts, tensor.data.length, () => dequantizeAffine(parts.codes, view, grid));
}
