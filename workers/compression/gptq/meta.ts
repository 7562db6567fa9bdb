/**
 * gptq: GPTQ (Frantar et al. 2023, "GPTQ: Accurate Post-Training Quantization for Generative
 * Pre-trained Transformers"). Columns are quantized one by one onto the same asymmetric group grid
 * as int4-group (scale and zero point per group of `groupSize` inputs, range with 0 included), and
 * each column's error is spread over the columns not yet quantized through the inverse Hessian of
 * the layer's inputs, H = Xᵀ X on calibration text (dampened by 1 % of its mean diagonal).
 *
 * Stored form: 8-, 4- and 2-bit as MatMulNBits (exactly int4-group's layout for 4-bit: same
 * codes, scales and zero points, so the same packer); 3-bit has no MatMulNBits form and is stored
 * as its dequantized f32 weights (simulated; its bits per weight are those of the same layout at 3 bits).
 */
import type { MethodOptions } from '../../api';
import { nbitsBytes } from '../../formats/matmul-nbits';
import { simulatedBitsPerWeight } from '../rtn/meta';
import { oneOf, rejectUnknownOptions } from '../shared/options';
import type { LinearDims, MethodMeta, OptionField } from '../types';
import { CALIBRATION_SAMPLES, calibrationTextOption, DEFAULT_SAMPLES, onText, samplesOption } from '../wanda/meta';

export const GPTQ_BITS = Object.freeze([8, 4, 3, 2] as const);
export type GptqBits = (typeof GPTQ_BITS)[number];
export const GPTQ_GROUP_SIZES = Object.freeze([32, 64, 128] as const);
export type GptqGroupSize = (typeof GPTQ_GROUP_SIZES)[number];
/** The lazy batch: columns updated together, a multiple of every group size. */
export const GPTQ_BLOCK = 128;
/** Dampening added to H's diagonal, as a fraction of its mean diagonal. */
export const GPTQ_DAMP = 0.01;

export interface GptqOptions {
  bits: GptqBits;
  groupSize: GptqGroupSize;
  actOrder: boolean;
  samples: number;
  calibrationText?: string;
}

/** Bit widths with a packed MatMulNBits form; the others are stored dequantized (simulated). */
export function gptqPacked(bits: number): bits is 8 | 4 | 2 {
  return bits === 8 || bits === 4 || bits === 2;
}

export const gptqMeta: MethodMeta<GptqOptions> = Object.freeze({
  id: 'gptq',
  label: 'GPTQ (calibrated)',
  description: 'Quantize column by column with the rounding error pushed onto later columns through the inverse Hessian of calibration inputs.',
  calibration: 'hessian',
  defaults: Object.freeze({ bits: 4 as GptqBits, groupSize: 128 as GptqGroupSize, actOrder: false, samples: DEFAULT_SAMPLES }),
  fields: Object.freeze<OptionField[]>([
    { key: 'bits', label: 'bits', choices: GPTQ_BITS },
    { key: 'groupSize', label: 'group', choices: GPTQ_GROUP_SIZES },
    { key: 'actOrder', label: 'act order', choices: [false, true], format: (v) => (v ? 'on' : 'off') },
    { key: 'samples', label: 'calibration sequences', choices: CALIBRATION_SAMPLES },
  ]),
  variantLabel: (o: GptqOptions) =>
    `GPTQ INT${o.bits} g${o.groupSize}${o.actOrder ? ' act-order' : ''}${gptqPacked(o.bits) ? '' : ' (simulated)'} · calib ${o.samples}${onText(o)}`,
  resolveOptions(options: MethodOptions): GptqOptions {
    rejectUnknownOptions('gptq', options, ['bits', 'groupSize', 'actOrder', 'samples', 'calibrationText']);
    return {
      bits: oneOf('gptq', 'bits', options?.bits, 4, GPTQ_BITS),
      groupSize: oneOf('gptq', 'groupSize', options?.groupSize, 128, GPTQ_GROUP_SIZES),
      actOrder: oneOf('gptq', 'actOrder', options?.actOrder, false, [false, true]),
      samples: samplesOption('gptq', options?.samples),
      ...calibrationTextOption('gptq', options?.calibrationText),
    };
  },
  /** MatMulNBits bytes; for 3-bit (stored f32, simulated) rtn's count for the same setting (GPTQ's grid is asymmetric) */
  bitsPerWeight(o: GptqOptions, dims: LinearDims): number {
    if (!gptqPacked(o.bits)) return simulatedBitsPerWeight(o.bits, o.groupSize, false, dims.inDim);
    return (8 * nbitsBytes(o.bits, o.groupSize, dims.outDim, dims.inDim)) / (dims.outDim * dims.inDim);
  },
});
