/**
 * int8-channel: symmetric per-output-channel INT8 with a per-channel f32 scale and zero point 0,
 * stored as int8 + DequantizeLinear(axis) → MatMul, no zero point (8-bit MatMulNBits where an
 * embedding's Gather also reads the weight; formats/form-of.ts and docs/int8-form.md say why).
 *   scale_o = max(max_i |w[o, i]| * fround(1/127), 2^-100)
 *   q = clamp(round_half_away(w / scale_o), -127, 127);  w' = q * scale_o   (all f32)
 * Packed export per tensor: out*in int8 codes + out f32 scales.
 */
import type { MethodOptions } from '../../api';
import { rejectUnknownOptions } from '../shared/options';
import type { LinearDims, MethodMeta, OptionField } from '../types';

export type Int8ChannelOptions = Record<string, never>;

export const INT8_QMAX = 127;
export const INT8_CODE_BITS = 8;
export const INT8_SCALE_BITS = 32;

export const int8ChannelMeta: MethodMeta<Int8ChannelOptions> = Object.freeze({
  id: 'int8-channel',
  label: 'INT8 per channel',
  description: 'Symmetric 8-bit weights with one f32 scale per output channel.',
  defaults: Object.freeze({}),
  fields: Object.freeze<OptionField[]>([]),
  variantLabel: () => 'INT8 per-channel',
  resolveOptions(options: MethodOptions): Int8ChannelOptions {
    rejectUnknownOptions('int8-channel', options, []);
    return {};
  },
  bitsPerWeight(_options: Int8ChannelOptions, dims: LinearDims): number {
    return INT8_CODE_BITS + INT8_SCALE_BITS / dims.inDim;
  },
});
