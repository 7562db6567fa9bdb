/**
 * nm-prune: N:M semi-structured pruning along the input dimension. In each run of M consecutive
 * weights of an output channel, keep the N of largest |w| and zero the rest (2:4 is what sparse
 * tensor cores run). Ties: the lower input index is pruned first (the magnitude-prune rule). A
 * short last run of r < M weights keeps min(r, N).
 * Stored dense f32 (no onnxruntime-web op runs N:M sparsity): 32 bits per weight.
 */
import type { MethodOptions } from '../../api';
import { oneOf, rejectUnknownOptions } from '../shared/options';
import type { MethodMeta, OptionField } from '../types';

export const NM_PATTERNS = Object.freeze(['2:4', '4:8'] as const);
export type NmPattern = (typeof NM_PATTERNS)[number];

export interface NmPruneOptions {
  pattern: NmPattern;
}

/** [N, M] of a pattern. */
export function nmOf(pattern: NmPattern): [number, number] {
  const [n, m] = pattern.split(':').map(Number);
  return [n, m];
}

export const nmPruneMeta: MethodMeta<NmPruneOptions> = Object.freeze({
  id: 'nm-prune',
  label: 'N:M pruning',
  description: 'Keep the N largest of every M consecutive weights along the input (2:4, 4:8 semi-structured sparsity).',
  defaults: Object.freeze({ pattern: '2:4' as NmPattern }),
  fields: Object.freeze<OptionField[]>([{ key: 'pattern', label: 'pattern', choices: NM_PATTERNS }]),
  variantLabel: (o: NmPruneOptions) => `prune ${o.pattern}`,
  resolveOptions(options: MethodOptions): NmPruneOptions {
    rejectUnknownOptions('nm-prune', options, ['pattern']);
    return { pattern: oneOf('nm-prune', 'pattern', options?.pattern, '2:4', NM_PATTERNS) };
  },
  bitsPerWeight(): number {
    return 32;
  },
});
