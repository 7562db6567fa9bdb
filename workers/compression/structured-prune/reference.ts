/**
 * structured-prune in plain TS: the neuron norms (the kernel's twin, same f32 arithmetic), the
 * choice of neurons, and the per-tensor step (the removed neurons' weights zeroed, with a mask:
 * the dequantized f32 twin of the rewritten graph, mathematically the same model).
 */
import { labError } from '../../errors';
import { linearView } from '../layout';
import type { CompressionParts, WeightTensor } from '../types';
import { unitSumSquares } from './heads';
import type { NeuronPlan, StructuredPruneOptions } from './meta';

/** Where a neuron's weights sit in a linear weight: `count` neurons of `len` weights, flat offset j·strideNeuron + k·strideElem. */
export interface NeuronView {
  count: number;
  len: number;
  strideNeuron: number;
  strideElem: number;
}

export function neuronView(tensor: Pick<WeightTensor, 'shape' | 'layout'>, axis: NeuronPlan['axis']): NeuronView {
  const v = linearView(tensor.shape, tensor.layout);
  return axis === 'out'
    ? { count: v.outDim, len: v.inDim, strideNeuron: v.strideOut, strideElem: v.strideIn }
    : { count: v.inDim, len: v.outDim, strideNeuron: v.strideIn, strideElem: v.strideOut };
}

/** Σ_k w[j, k]² per neuron j, in k order, every square and sum rounded to f32 (the WGSL's arithmetic). */
export function neuronSumSquares(data: Float32Array, view: NeuronView): Float32Array {
  // a neuron is a unit of one channel (heads.ts): the same loop as a head's
  return unitSumSquares(data, { ...view, width: 1, offset: 0 });
}

/** How many of n neurons a ratio removes: round half up, at most n − 1 (a layer keeps a neuron). */
export function neuronsRemoved(ratio: number, n: number): number {
  return Math.max(0, Math.min(n - 1, Math.round(ratio * n)));
}

/**
 * Which neurons stay: the neurons.removed lowest scores go, ties broken by the lower index first.
 * `parts` are the squared-norm vectors of every weight tied to the neurons, summed in the given
 * order in f32; the score is their sum (the squared L2 norm: the same order as the L2 norm).
 */
export function chooseNeurons(parts: readonly Float32Array[], ratio: number): { keep: Uint8Array; score: Float32Array } {
  const n = parts[0]?.length ?? 0;
  if (!n || parts.some((p) => p.length !== n)) throw labError('BadOption', `structured-prune: neuron norms of different lengths (${parts.map((p) => p.length).join(', ')})`);
  const score = new Float32Array(n);
  for (const p of parts) for (let j = 0; j < n; j++) score[j] = Math.fround(score[j] + p[j]);
  const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => score[a] - score[b] || a - b);
  const keep = new Uint8Array(n).fill(1);
  for (let k = 0; k < neuronsRemoved(ratio, n); k++) keep[order[k]] = 0;
  return { keep, score };
}

/** The per-tensor step: the removed neurons' weights zeroed (mask 0), the rest unchanged; no plan = not in an MLP, unchanged. */
export function structuredPruneReference(tensor: WeightTensor, _options?: StructuredPruneOptions): CompressionParts {
  const dequantized = new Float32Array(tensor.data);
  const mask = new Uint8Array(tensor.data.length).fill(1);
  const plan = tensor.plan as NeuronPlan | undefined;
  if (!plan) return { dequantized, mask };
  const v = neuronView(tensor, plan.axis);
  if (plan.keep.length !== v.count) {
    throw labError('BadOption', `structured-prune on ${tensor.name ?? 'a tensor'}: a plan for ${plan.keep.length} neurons, the weight has ${v.count} along its ${plan.axis === 'out' ? 'output' : 'input'}`);
  }
  for (let j = 0; j < v.count; j++) {
    if (plan.keep[j]) continue;
    for (let k = 0; k < v.len; k++) {
      const at = j * v.strideNeuron + k * v.strideElem;
      dequantized[at] = 0;
      mask[at] = 0;
    }
  }
  return { dequantized, mask };
}
