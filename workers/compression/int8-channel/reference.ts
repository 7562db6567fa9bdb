/**
 * Reference INT8 per-channel quantizer (plain loops; the truth the WGSL is held to).
 * Per output channel o: scale_o from max|w|, then the shared elementwise step (shared/affine.ts).
 */
import { inverseLevels, quantizeAffine, scaleOf } from '../shared/affine';
import { linearView } from '../layout';
import type { CompressionParts, WeightTensor } from '../types';
import { INT8_QMAX } from './meta';

export function int8ChannelReference(tensor: WeightTensor): CompressionParts {
  const view = linearView(tensor.shape, tensor.layout);
  const invLevels = inverseLevels(INT8_QMAX);
  const scales = new Float32Array(view.outDim); // (out)
  for (let o = 0; o < view.outDim; o++) {
    let maxAbs = 0;
    for (let i = 0; i < view.inDim; i++) maxAbs = Math.max(maxAbs, Math.abs(tensor.data[o * view.strideOut + i * view.strideIn]));
    scales[o] = scaleOf(maxAbs, invLevels);
  }
  const codes = new Int8Array(tensor.data.length);
  const grid = { groupSize: view.inDim, nGroups: 1, scales, zeroPoints: new Uint8Array(view.outDim), qmin: -INT8_QMAX, qmax: INT8_QMAX };
  const dequantized = quantizeAffine(tensor.data, view, grid, codes);
  return { dequantized, codes, scales };
}
