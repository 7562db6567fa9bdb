/**
 * Reference magnitude pruning (plain loops; the truth the WGSL is held to). Keys are the bit
 * patterns of |w| (bits & 0x7fffffff), which order exactly like |w| for finite floats.
 * The k-th smallest key T splits the tensor: keys below T are pruned, and of the keys equal to T
 * the first (k - #below) by flat index.
 */
import type { CompressionParts, WeightTensor } from '../types';
import { pruneCount, type MagnitudePruneOptions } from './meta';

export function absKeys(data: Float32Array): Uint32Array {
  const keys = new Uint32Array(data.length);
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  for (let f = 0; f < data.length; f++) keys[f] = bits[f] & 0x7fffffff;
  return keys;
}

export function magnitudePruneReference(tensor: WeightTensor, options: MagnitudePruneOptions): CompressionParts {
  const { data } = tensor;
  const n = data.length;
  const k = pruneCount(options.ratio, n);
  const dequantized = new Float32Array(data);
  const mask = new Uint8Array(n).fill(1);
  if (k === 0) return { dequantized, mask };
  const keys = absKeys(data);
  const sorted = keys.slice().sort();
  const threshold = sorted[k - 1];
  let below = 0;
  while (sorted[below] < threshold) below++;
  let tiesToPrune = k - below;
  for (let f = 0; f < n; f++) {
    if (keys[f] < threshold || (keys[f] === threshold && tiesToPrune-- > 0)) {
      dequantized[f] = 0;
      mask[f] = 0;
    }
  }
  return { dequantized, mask };
}
