/**
 * Reference per-tensor step of global-prune: zero key < threshold, and key == threshold before
 * the cut (the rule of magnitude-prune/apply-mask.wgsl, which the GPU path runs). Without a plan
 * the tensor is planned alone (a one-tensor model).
 */
import type { CompressionParts, WeightTensor } from '../types';
import type { GlobalPruneOptions, GlobalPrunePlan } from './meta';
import { planGlobalPrune } from './plan';

export function globalPruneReference(tensor: WeightTensor, options: GlobalPruneOptions, plan?: GlobalPrunePlan): CompressionParts {
  const { threshold, cutEnd } = plan ?? planGlobalPrune([tensor.data], options.ratio)[0];
  const bits = new Uint32Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.length);
  const dequantized = new Float32Array(tensor.data);
  const mask = new Uint8Array(tensor.data.length).fill(1);
  for (let f = 0; f < bits.length; f++) {
    const key = bits[f] & 0x7fffffff;
    if (key < threshold || (key === threshold && f < cutEnd)) {
      dequantized[f] = 0;
      mask[f] = 0;
    }
  }
  return { dequantized, mask };
}
