/** rtn on WebGPU: the shared affine passes (shared/affine-gpu.ts) with the method's grid. */
import { inverseLevels } from '../shared/affine';
import { quantizeAffineGpu } from '../shared/affine-gpu';
import { linearView } from '../layout';
import type { CompressionParts, WeightTensor } from '../types';
import { rtnLevels, type RtnOptions } from './meta';

export async function rtnGpu(device: GPUDevice, tensor: WeightTensor, options: RtnOptions): Promise<CompressionParts> {
  const view = linearView(tensor.shape, tensor.layout);
  const { levels, qmin, qmax } = rtnLevels(options);
  const spec = { label: 'rtn', symmetric: options.symmetric, groupSize: options.groupSize, invLevels: inverseLevels(levels), qmin, qmax };
  const out = await quantizeAffineGpu(device, tensor, view, spec);
  if (options.symmetric) return { dequantized: out.dequantized, codes: new Int8Array(out.codeBytes), scales: out.scales };
  return { dequantized: out.dequantized, codes: new Uint8Array(out.codeBytes), scales: out.scales, zeroPoints: Uint8Array.from(out.zeroPoints) };
}
