/**
 * fp16: every weight rounded to IEEE 754 binary16 (round to nearest, ties to even), as a half
 * initializer followed by Cast(to = float) stores it. Half has no room above 65504: |w| > 65504
 * is clamped to ±65504 (never ±Inf) and counted in `clamped`. Subnormal halves (multiples of
 * 2^-24 below 2^-14) are kept exactly; below half of 2^-24 a weight becomes ±0 (sign kept).
 * Packed export: out*in uint16 half bit patterns (the `codes`), nothing else: 16 bits per weight.
 */
import type { MethodOptions } from '../../api';
import { rejectUnknownOptions } from '../shared/options';
import type { MethodMeta, OptionField } from '../types';

export type Fp16Options = Record<string, never>;

export const FP16_BITS = 16;
/** The largest finite half, and its bit pattern. */
export const HALF_MAX = 65504;
export const HALF_MAX_BITS = 0x7bff;

export const fp16Meta: MethodMeta<Fp16Options> = Object.freeze({
  id: 'fp16',
  label: 'FP16',
  description: 'Every weight rounded to half precision (nearest even); values beyond ±65504 are clamped and counted.',
  defaults: Object.freeze({}),
  fields: Object.freeze<OptionField[]>([]),
  variantLabel: () => 'FP16',
  resolveOptions(options: MethodOptions): Fp16Options {
    rejectUnknownOptions('fp16', options, []);
    return {};
  },
  bitsPerWeight(): number {
    return FP16_BITS;
  },
});
