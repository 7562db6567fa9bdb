/** int8-channel on WebGPU: the shared affine passes (shared/affine-gpu.ts) with one symmetric group per channel. */
import { inverseLevels } from '../shared/affine';
import { quantizeAffineGpu } from '../shared/affine-gpu';
import { linearView } from '../layout';
import type { CompressionParts, WeightTensor } from '../types';
import { INT8_QMAX } from './meta';

export async function int8ChannelGpu(device: GPUDevice, tensor: WeightTensor): Promise<CompressionParts> {
  const view = linearView(tensor.shape, tensor.layout);
  const spec = { label: 'int8-channel', symmetric: true, groupSize: 0, invLevels: inverseLevels(INT8_QMAX), qmin: -INT8_QMAX, qmax: INT8_QMAX };
  const out = await quantizeAffineGpu(device, tensor, view, spec);
  return { dequantized: out.dequantized, codes: new Int8Array(out.codeBytes), scales: out.scales };
}
