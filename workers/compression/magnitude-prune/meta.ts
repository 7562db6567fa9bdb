/**
 * magnitude-prune: layer-wise unstructured pruning. Zero the k = round(ratio * n) entries of the
 * tensor that come first in the order (|w|, flat index) ascending, so exactly k entries are zeroed
 * even when many values tie (ties go to the lower index first). -0 and +0 tie.
 * The export keeps the tensor dense f32 (zeros written in), so bits per weight stay 32.
 */
import type { MethodOptions } from '../../api';
import { numberInRange, rejectUnknownOptions } from '../shared/options';
import type { MethodMeta, OptionField } from '../types';

export interface MagnitudePruneOptions {
  /** fraction of the tensor's entries to zero, in [0, 1] */
  ratio: number;
}

const DENSE_F32_BITS = 32;

/** The sparsity choice every magnitude pruner offers. */
export const SPARSITY_FIELD: OptionField = Object.freeze({ key: 'ratio', label: 'sparsity', choices: [0.1, 0.3, 0.5, 0.7, 0.9], format: (v: number | string | boolean) => `${Math.round(Number(v) * 100)} %` });

/** How many entries a ratio prunes: round half up, like Math.round. */
export function pruneCount(ratio: number, n: number): number {
  return Math.min(n, Math.max(0, Math.round(ratio * n)));
}

export const magnitudePruneMeta: MethodMeta<MagnitudePruneOptions> = Object.freeze({
  id: 'magnitude-prune',
  label: 'Magnitude pruning',
  description: 'Zero the smallest-magnitude fraction of each weight matrix (layer-wise, unstructured).',
  defaults: Object.freeze({ ratio: 0.5 }),
  fields: Object.freeze<OptionField[]>([SPARSITY_FIELD]),
  variantLabel: (o: MagnitudePruneOptions) => `prune ${Math.round(o.ratio * 100)}%`,
  resolveOptions(options: MethodOptions): MagnitudePruneOptions {
    rejectUnknownOptions('magnitude-prune', options, ['ratio']);
    return { ratio: numberInRange('magnitude-prune', 'ratio', options?.ratio, 0.5, 0, 1) };
  },
  bitsPerWeight(): number {
    return DENSE_F32_BITS;
  },
});
