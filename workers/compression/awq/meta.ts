/**
 * awq: activation-aware weight quantization (Lin et al. 2024, "AWQ"). Each input channel j of a
 * layer gets a scale s_j = a_j^α (a_j = mean |x_j| of input column j on the calibration text, as
 * AWQ's code (llm-awq auto_scale, get_act_scale) takes it; calibration sums |x| beside the Hessian),
 * normalized by √(max s · min s) as that code does; the weight is quantized as
 * Q(W · diag(s)) · diag(s)⁻¹ with round to nearest on int4-group's grid, and α ∈ {0, 0.05, …, 0.95}
 * (its grid of 20) is the one with the least layer output error ‖X (W − Ŵ)ᵀ‖² = tr(ΔW H ΔWᵀ) on
 * the calibration tokens, over every output row. α = 0 is plain RTN (s = 1) and is kept on ties,
 * so AWQ is never worse than RTN on that objective.
 *
 * Stored form (formats/form-of.ts): 4-bit as MatMulNBits holding Q(W · diag(s)), with 1/s folded
 * into the LayerNorm/RMSNorm before the layer where it reads one, else a Mul by 1/s in front
 * (formats/input-scale.ts); 3-bit has no MatMulNBits form and is stored as its dequantized f32
 * weights (simulated), as is a weight an embedding also reads (its rows would come out scaled).
 * Bits per weight: the MatMulNBits layout plus one f32 per input channel (the 1/s, when a Mul).
 */
import type { MethodOptions } from '../../api';
import { nbitsBytes } from '../../formats/matmul-nbits';
import { oneOf, rejectUnknownOptions } from '../shared/options';
import { simulatedBitsPerWeight } from '../rtn/meta';
import type { LinearDims, MethodMeta, OptionField } from '../types';
import { CALIBRATION_SAMPLES, calibrationTextOption, DEFAULT_SAMPLES, onText, samplesOption } from '../wanda/meta';

export const AWQ_BITS = Object.freeze([4, 3] as const);
export const AWQ_GROUP_SIZES = Object.freeze([32, 64, 128] as const);
/** α steps searched: 0, 1/AWQ_GRID, …, (AWQ_GRID − 1)/AWQ_GRID, as AWQ's reference code (n_grid = 20). The search costs AWQ_GRID · out · in² multiply-adds. */
export const AWQ_GRID = 20;
export const AWQ_SHARED_REASON = "an embedding (Gather) also reads this weight, and AWQ's packed weight holds W · diag(s): its rows would come out scaled";
/** Bit widths with a packed MatMulNBits form; 3-bit is stored dequantized (simulated). */
export const awqPacked = (bits: number): boolean => bits === 4;

export interface AwqOptions {
  bits: (typeof AWQ_BITS)[number];
  groupSize: (typeof AWQ_GROUP_SIZES)[number];
  samples: number;
  calibrationText?: string;
}

export const awqMeta: MethodMeta<AwqOptions> = Object.freeze({
  id: 'awq',
  label: 'AWQ (calibrated)',
  description: 'Scale each input channel by its activation size (searched on calibration text), then round to nearest in groups.',
  calibration: 'hessian',
  defaults: Object.freeze({ bits: 4 as const, groupSize: 128 as const, samples: DEFAULT_SAMPLES }),
  fields: Object.freeze<OptionField[]>([
    { key: 'bits', label: 'bits', choices: AWQ_BITS },
    { key: 'groupSize', label: 'group', choices: AWQ_GROUP_SIZES },
    { key: 'samples', label: 'calibration sequences', choices: CALIBRATION_SAMPLES },
  ]),
  variantLabel: (o: AwqOptions) => `AWQ INT${o.bits} g${o.groupSize}${awqPacked(o.bits) ? '' : ' (simulated)'} · calib ${o.samples}${onText(o)}`,
  resolveOptions(options: MethodOptions): AwqOptions {
    rejectUnknownOptions('awq', options, ['bits', 'groupSize', 'samples', 'calibrationText']);
    return {
      bits: oneOf('awq', 'bits', options?.bits, 4, AWQ_BITS),
      groupSize: oneOf('awq', 'groupSize', options?.groupSize, 128, AWQ_GROUP_SIZES),
      samples: samplesOption('awq', options?.samples),
      ...calibrationTextOption('awq', options?.calibrationText),
    };
  },
  /** MatMulNBits bytes + the f32 input scale per channel; for 3-bit (simulated) rtn's count for the same setting + that scale */
  bitsPerWeight(o: AwqOptions, dims: LinearDims): number {
    if (!awqPacked(o.bits)) return simulatedBitsPerWeight(o.bits, o.groupSize, false, dims.inDim) + (32 * dims.inDim) / (dims.outDim * dims.inDim);
    return (8 * (nbitsBytes(o.bits, o.groupSize, dims.outDim, dims.inDim) + 4 * dims.inDim)) / (dims.outDim * dims.inDim);
  },
});
