/**
 * GPTQ on a pruned weight with its mask kept (prune → GPTQ, issue 9's "GPTQ on a pruned model"),
 * the SparseGPT way: a pruned weight is fixed at 0 — its code is the group's zero point, so it
 * dequantizes to exactly 0 — and the error of fixing it there (w − 0, w being its value after the
 * earlier columns' error feedback) is carried to the later columns like any rounding error, so
 * the kept weights compensate for it. Plain GPTQ on the pruned weights would instead write the
 * carried error into the pruned positions and undo the sparsity. Each group's grid is fitted on
 * its kept weights only (the pruned ones count as the 0 every grid holds).
 * With an identity Hessian nothing is carried and the result is prune → RTN exactly (gptq-masked.test.ts).
 * TS only: the WGSL column loop (gpu.ts) does not take a mask.
 */
import { labError } from '../../errors';
import type { WeightTensor } from '../types';
import type { GptqOptions } from './meta';
import { gptqLoop, gptqSetup, type GptqParts } from './reference';

/** `mask`: one byte per weight in stored order, 0 = pruned (what a pruning method returns). */
export function gptqMaskedReference(tensor: WeightTensor, options: GptqOptions, mask: Uint8Array): GptqParts {
  const name = tensor.name ?? 'a tensor';
  if (mask.length !== tensor.data.length) throw labError('BadOption', `gptq on ${name}: a mask of ${mask.length} for ${tensor.data.length} weights`);
  // the pruned weights start at 0 (they are 0 in a pruned model; act order's grids are fitted on these)
  const data = Float32Array.from(tensor.data, (w, i) => (mask[i] ? w : 0));
  const r = gptqLoop(gptqSetup({ ...tensor, data }, options), mask);
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i] && r.dequantized[i] !== 0) throw labError('BadOption', `gptq on ${name}: pruned weight ${i} became ${r.dequantized[i]}`);
  }
  return { ...r, mask };
}
