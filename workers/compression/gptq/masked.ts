/**
 * GPTQ on a pruned weight with its mask kept (prune → GPTQ, issue 9's "GPTQ on a pruned model"),
 * the SparseGPT way: a pruned weight is fixed at 0 — its code is the group's zero point, so it
 * dequantizes to exactly 0 — and the error of fixing it there (w − 0, w being its value after the
 * earlier columns' error feedback) is carried to the later columns like any rounding error, so
 * the kept weights compensate for it. Plain GPTQ on the pruned weights would instead write the
 * carried error into the pruned positions and undo the sparsity. Each group's grid is fitted on
 * its kept weights only (the pruned ones count as the 0 every grid holds).
 * With an identity Hessian nothing is carried and the result is prune → RTN exactly (gptq-masked.test.ts).
 * Both paths share the setup and the check: the TS loop (gptqLoop) and the WGSL one (gptqLoopGpu,
 * gptq-block.wgsl reads the mask as bits), held equal in e2e/gptq-awq-wgsl.spec.ts.
 */
import { labError } from '../../errors';
import type { WeightTensor } from '../types';
import { gptqLoopGpu } from './gpu';
import type { GptqOptions } from './meta';
import { gptqLoop, gptqSetup, type GptqParts, type GptqSetup } from './reference';

/** `mask`: one byte per weight in stored order, 0 = pruned (what a pruning method returns). */
export function gptqMaskedReference(tensor: WeightTensor, options: GptqOptions, mask: Uint8Array): GptqParts {
  const s = maskedSetup(tensor, options, mask);
  const t = performance.now();
  const r = gptqLoop(s, mask);
  return pruned(tensor, mask, { ...r, phaseMs: { factor: s.factorMs, loop: performance.now() - t } });
}

/** The same on WebGPU: the column loop in WGSL with the mask (the setup, U = chol(H⁻¹), in TS as gptqGpu's). */
export async function gptqMaskedGpu(device: GPUDevice, tensor: WeightTensor, options: GptqOptions, mask: Uint8Array): Promise<GptqParts> {
  const s = maskedSetup(tensor, options, mask);
  const t = performance.now();
  const r = await gptqLoopGpu(device, s, mask);
  return pruned(tensor, mask, { ...r, phaseMs: { factor: s.factorMs, loop: performance.now() - t } });
}

function maskedSetup(tensor: WeightTensor, options: GptqOptions, mask: Uint8Array): GptqSetup {
  const name = tensor.name ?? 'a tensor';
  if (mask.length !== tensor.data.length) throw labError('BadOption', `gptq on ${name}: a mask of ${mask.length} for ${tensor.data.length} weights`);
  // the pruned weights start at 0 (they are 0 in a pruned model; act order's grids are fitted on these)
  const data = Float32Array.from(tensor.data, (w, i) => (mask[i] ? w : 0));
  return gptqSetup({ ...tensor, data }, options);
}

/** The parts with the mask, after checking every pruned weight stayed exactly 0. */
function pruned(tensor: WeightTensor, mask: Uint8Array, r: GptqParts): GptqParts {
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i] && r.dequantized[i] !== 0) throw labError('BadOption', `gptq on ${tensor.name ?? 'a tensor'}: pruned weight ${i} became ${r.dequantized[i]}`);
  }
  return { ...r, mask };
}
