/**
 * global-prune: unstructured magnitude pruning with one threshold across every linear weight of
 * the model. The k = round(ratio * total) weights that come first in the order
 * (|w|, tensor index, flat index) are zeroed, so the achieved sparsity is k / total (within one
 * weight of the target) however many values tie. A pass over all tensors (plan.ts) finds the
 * threshold key T and, per tensor, where the ties it prunes end; the per-tensor step (the
 * magnitude-prune apply kernel) zeroes key < T and key == T before that cut.
 * Stored dense f32: 32 bits per weight.
 */
import type { MethodOptions } from '../../api';
import { SPARSITY_FIELD } from '../magnitude-prune/meta';
import { numberInRange, rejectUnknownOptions } from '../shared/options';
import type { MethodMeta, OptionField } from '../types';

export interface GlobalPruneOptions {
  /** fraction of all linear weights to zero, in [0, 1] */
  ratio: number;
}

/** What the pass over all tensors hands one tensor's step. */
export interface GlobalPrunePlan {
  /** the threshold |w| key (f32 bits & 0x7fffffff) */
  threshold: number;
  /** keys equal to the threshold at this flat index or later are kept */
  cutEnd: number;
}

export const globalPruneMeta: MethodMeta<GlobalPruneOptions> = Object.freeze({
  id: 'global-prune',
  label: 'Global magnitude pruning',
  description: 'Zero the smallest-magnitude fraction of all linear weights together: one threshold for the whole model.',
  defaults: Object.freeze({ ratio: 0.5 }),
  fields: Object.freeze<OptionField[]>([SPARSITY_FIELD]),
  variantLabel: (o: GlobalPruneOptions) => `global prune ${Math.round(o.ratio * 100)}%`,
  resolveOptions(options: MethodOptions): GlobalPruneOptions {
    rejectUnknownOptions('global-prune', options, ['ratio']);
    return { ratio: numberInRange('global-prune', 'ratio', options?.ratio, 0.5, 0, 1) };
  },
  bitsPerWeight(): number {
    return 32;
  },
});
