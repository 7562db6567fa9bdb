/**
 * rtn on WebGPU: the shared affine pass (shared/affine-gpu.ts) with the method's grid. The
 * dequantized weights are made from the codes on the CPU only if someone reads them.
 */
import { dequantizeAffine, inverseLevels } from '../shared/affine';
import { quantizeAffineGpu } from '../shared/affine-gpu';
import { linearView } from '../layout';
import { withLazyDequantized, type CompressionParts, type WeightTensor } from '../types';
import { rtnLevels, type RtnOptions } from './meta';

export async function rtnGpu(device: GPUDevice, tensor: WeightTensor, options: RtnOptions): Promise<CompressionParts> {
  const view = linearView(tensor.shape, tensor.layout);
  const { levels, qmin, qmax } = rtnLevels(options);
  const spec = { label: 'rtn', symmetric: options.symmetric, groupSize: options.groupSize, invLevels: inverseLevels(levels), qmin, qmax };
  const out = await quantizeAffineGpu(device, tensor, view, spec);
  const groupSize = options.groupSize || view.inDim;
  const nGroups = out.scales.length / view.outDim;
  if (options.symmetric) {
    const parts = { codes: new Int8Array(out.codeBytes), scales: out.scales, sums: out.sums };
    const grid = { scales: out.scales, zeroPoints: new Uint8Array(out.scales.length), groupSize, nGroups };
    return withLazyDequantized(parts, tensor.data.length, () => dequantizeAffine(parts.codes, view, grid));
  }
  const parts = { codes: new Uint8Array(out.codeBytes), scales: out.scales, zeroPoints: Uint8Array.from(out.zeroPoints), sums: out.sums };
  const grid = { scales: parts.scales, zeroPoints: parts.zeroPoints, groupSize, nGroups };
  return withLazyDequantized(parts, tensor.data.length, () => dequantizeAffine(parts.codes, view, grid));
}
