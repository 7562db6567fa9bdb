/**
 * Reference N:M pruning (plain loops; the truth nm-prune.wgsl is held to). Within a run, weight j
 * ranks by (|w| key, input index); the first max(0, r - N) ranks are pruned.
 */
import { linearView } from '../layout';
import { absKeys } from '../magnitude-prune/reference';
import type { CompressionParts, WeightTensor } from '../types';
import { nmOf, type NmPruneOptions } from './meta';

export function nmPruneReference(tensor: WeightTensor, options: NmPruneOptions): CompressionParts {
  const [keep, m] = nmOf(options.pattern);
  const view = linearView(tensor.shape, tensor.layout);
  const keys = absKeys(tensor.data);
  const dequantized = new Float32Array(tensor.data);
  const mask = new Uint8Array(tensor.data.length).fill(1);
  for (let o = 0; o < view.outDim; o++) {
    for (let start = 0; start < view.inDim; start += m) {
      const r = Math.min(m, view.inDim - start);
      const prune = Math.max(0, r - keep);
      const at = (j: number) => o * view.strideOut + (start + j) * view.strideIn;
      for (let j = 0; j < r; j++) {
        let rank = 0;
        for (let l = 0; l < r; l++) if (keys[at(l)] < keys[at(j)] || (keys[at(l)] === keys[at(j)] && l < j)) rank++;
        if (rank < prune) {
          dequantized[at(j)] = 0;
          mask[at(j)] = 0;
        }
      }
    }
  }
  return { dequantized, mask };
}
