/**
 * int4-group on WebGPU: the shared affine pass (shared/affine-gpu.ts) with asymmetric groups along
 * the input. The dequantized weights are made from the codes on the CPU only if someone reads them.
 */
import { dequantizeAffine, inverseLevels } from '../shared/affine';
import { quantizeAffineGpu } from '../shared/affine-gpu';
import { linearView } from '../layout';
import { withLazyDequantized, type CompressionParts, type WeightTensor } from '../types';
import { INT4_QMAX, type Int4GroupOptions } from './meta';

export async function int4GroupGpu(device: GPUDevice, tensor: WeightTensor, options: Int4GroupOptions): Promise<CompressionParts> {
  const view = linearView(tensor.shape, tensor.layout);
  const spec = { label: 'int4-group', symmetric: false, groupSize: options.groupSize, invLevels: inverseLevels(INT4_QMAX), qmin: 0, qmax: INT4_QMAX };
  const out = await quantizeAffineGpu(device, tensor, view, spec);
  const parts = { codes: new Uint8Array(out.codeBytes), scales: out.scales, zeroPoints: Uint8Array.from(out.zeroPoints), sums: out.sums };
  const grid = { scales: parts.scales, zeroPoints: parts.zeroPoints, groupSize: options.groupSize, nGroups: out.scales.length / view.outDim };
  return withLazyDequantized(parts, tensor.data.length, () => dequantizeAffine(parts.codes, view, grid));
}
