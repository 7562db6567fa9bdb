/**
 * gptq: GPTQ (Frantar et al. 2023, "GPTQ: Accurate Post-Training Quantization for Generative
 * Pre-trained Transformers"). Columns are quantized one by one onto rtn's grid (rtn/meta.ts, the
 * arithmetic of shared/affine.ts): groups of 32 / 64 / 128 inputs or the whole row (groupSize 0),
 * asymmetric (scale and zero point, range with 0 included: int4-group's grid at 4 bits g32) or
 * symmetric (scale = max|w| / (2^(k-1) − 1), signed codes), and each column's error is spread over
 * the columns not yet quantized through the inverse Hessian of the layer's inputs, H = Xᵀ X on
 * calibration text (dampened by 1 % of its mean diagonal).
 *
 * Stored form: rtn's (formats/form-of.ts packs both through one function): 8-, 4- and 2-bit as
 * MatMulNBits, symmetric codes offset by 2^(k-1), a whole row as blocks repeating its grid; 3-bit
 * has no MatMulNBits form and is stored as its dequantized f32 weights (simulated; its bits per
 * weight are rtn's for the same setting).
 */
import type { MethodOptions } from '../../api';
import { labError } from '../../errors';
import { RTN_GROUP_SIZES, rtnMeta, type RtnGroupSize } from '../rtn/meta';
import { oneOf, rejectUnknownOptions } from '../shared/options';
import type { LinearDims, MethodMeta, OptionField } from '../types';
import { CALIBRATION_SAMPLES, calibrationTextOption, DEFAULT_SAMPLES, onText, samplesOption } from '../wanda/meta';

export const GPTQ_BITS = Object.freeze([8, 4, 3, 2] as const);
export type GptqBits = (typeof GPTQ_BITS)[number];
/** rtn's: 32, 64, 128, and 0 = one group per output row */
export const GPTQ_GROUP_SIZES = RTN_GROUP_SIZES;
export type GptqGroupSize = RtnGroupSize;
/** The lazy batch: columns updated together, a multiple of every group size. */
export const GPTQ_BLOCK = 128;
/** Dampening added to H's diagonal, as a fraction of its mean diagonal. */
export const GPTQ_DAMP = 0.01;

export interface GptqOptions {
  bits: GptqBits;
  groupSize: GptqGroupSize;
  actOrder: boolean;
  /**
   * rtn's symmetric grid (signed codes, no zero point). Resolved options carry it only when true,
   * so the variant ids of asymmetric GPTQ (the only grid before) stay what they were.
   */
  symmetric?: boolean;
  samples: number;
  calibrationText?: string;
}

/** Bit widths with a packed MatMulNBits form; the others are stored dequantized (simulated). */
export function gptqPacked(bits: number): bits is 8 | 4 | 2 {
  return bits === 8 || bits === 4 || bits === 2;
}

/** rtn's control for the same option (choices, label and wording), so both read alike in the builder. */
function rtnField(key: 'groupSize' | 'symmetric'): OptionField {
  return rtnMeta.fields.find((f) => f.key === key)!;
}

export const gptqMeta: MethodMeta<GptqOptions> = Object.freeze({
  id: 'gptq',
  label: 'GPTQ (calibrated)',
  description: 'Quantize column by column with the rounding error pushed onto later columns through the inverse Hessian of calibration inputs.',
  calibration: 'hessian',
  defaults: Object.freeze({ bits: 4 as GptqBits, groupSize: 128 as GptqGroupSize, symmetric: false, actOrder: false, samples: DEFAULT_SAMPLES }),
  fields: Object.freeze<OptionField[]>([
    { key: 'bits', label: 'bits', choices: GPTQ_BITS },
    rtnField('groupSize'),
    rtnField('symmetric'),
    { key: 'actOrder', label: 'act order', choices: [false, true], format: (v) => (v ? 'on' : 'off') },
    { key: 'samples', label: 'calibration sequences', choices: CALIBRATION_SAMPLES },
  ]),
  variantLabel: (o: GptqOptions) =>
    `GPTQ INT${o.bits} ${o.groupSize ? `g${o.groupSize}` : 'row'}${o.symmetric ? ' sym' : ''}${o.actOrder ? ' act-order' : ''}${gptqPacked(o.bits) ? '' : ' (simulated)'} · calib ${o.samples}${onText(o)}`,
  resolveOptions(options: MethodOptions): GptqOptions {
    rejectUnknownOptions('gptq', options, ['bits', 'groupSize', 'symmetric', 'actOrder', 'samples', 'calibrationText']);
    const symmetric = options?.symmetric ?? false;
    if (typeof symmetric !== 'boolean') throw labError('BadOption', `gptq: symmetric must be true or false, got ${String(symmetric)}`);
    return {
      bits: oneOf('gptq', 'bits', options?.bits, 4, GPTQ_BITS),
      groupSize: oneOf('gptq', 'groupSize', options?.groupSize, 128, GPTQ_GROUP_SIZES),
      ...(symmetric ? { symmetric } : {}),
      actOrder: oneOf('gptq', 'actOrder', options?.actOrder, false, [false, true]),
      samples: samplesOption('gptq', options?.samples),
      ...calibrationTextOption('gptq', options?.calibrationText),
    };
  },
  /** rtn's count for the same grid: GPTQ is stored as rtn is (MatMulNBits bytes; 3-bit simulated, packed tightly) */
  bitsPerWeight(o: GptqOptions, dims: LinearDims): number {
    return rtnMeta.bitsPerWeight({ bits: o.bits, groupSize: o.groupSize, symmetric: o.symmetric ?? false }, dims);
  },
});
