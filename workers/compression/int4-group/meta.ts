/**
 * int4-group: asymmetric 4-bit groups of `groupSize` consecutive weights along the input dimension
 * of one output channel (the last group may be short), as ONNX MatMulNBits (bits=4) stores them.
 * The range always includes 0 (like onnxruntime's MatMulNBits quantizer), so 0 maps to the zero
 * point and dequantizes to exactly 0, which keeps pruned weights pruned.
 *   mn = min(0, min w), mx = max(0, max w), scale = max((mx - mn) * fround(1/15), 2^-100)
 *   zp = roundDiv(-mn, scale) capped at 15
 *   q = clamp(zp ± round_half_away(|w| / scale), 0, 15);  w' = (q - zp) * scale   (all f32)
 *
 * Packed export (MatMulNBits, N = out, K = in, blocks = ceil(K / groupSize)):
 *   B            uint8 (N, blocks, groupSize / 2)  two codes a byte, low nibble first; the
 *                                                  short last block is padded to a full block
 *   scales       f32   (N, blocks)
 *   zero_points  uint8 (N, ceil(blocks / 2))       two 4-bit zero points a byte, low nibble first
 * so bits per weight = 8 * bytes / (N * K) = 4 + (32 + 4) / groupSize when K fills whole blocks.
 */
import type { MethodOptions } from '../../api';
import { oneOf, rejectUnknownOptions } from '../shared/options';
import type { LinearDims, MethodMeta, OptionField } from '../types';

export const INT4_QMAX = 15;
/** MatMulNBits takes power-of-two block sizes of at least 16. */
export const INT4_GROUP_SIZES = Object.freeze([16, 32, 64, 128] as const);
export type Int4GroupSize = (typeof INT4_GROUP_SIZES)[number];

export interface Int4GroupOptions {
  groupSize: Int4GroupSize;
}

const SCALE_BYTES = 4;

/** Bytes of the MatMulNBits tensors (B, scales, zero_points) for one weight. */
export function int4PackedBytes(groupSize: number, dims: LinearDims): number {
  const blocks = Math.ceil(dims.inDim / groupSize);
  const codeBytes = dims.outDim * blocks * (groupSize / 2);
  const scaleBytes = dims.outDim * blocks * SCALE_BYTES;
  const zeroPointBytes = dims.outDim * Math.ceil(blocks / 2);
  return codeBytes + scaleBytes + zeroPointBytes;
}

export const int4GroupMeta: MethodMeta<Int4GroupOptions> = Object.freeze({
  id: 'int4-group',
  label: 'INT4 groups',
  description: 'Asymmetric 4-bit weights, one f32 scale and 4-bit zero point per group along the input (MatMulNBits).',
  defaults: Object.freeze({ groupSize: 32 as Int4GroupSize }),
  fields: Object.freeze<OptionField[]>([{ key: 'groupSize', label: 'group', choices: INT4_GROUP_SIZES }]),
  variantLabel: (o: Int4GroupOptions) => `INT4 group-${o.groupSize}`,
  resolveOptions(options: MethodOptions): Int4GroupOptions {
    rejectUnknownOptions('int4-group', options, ['groupSize']);
    return { groupSize: oneOf('int4-group', 'groupSize', options?.groupSize, 32, INT4_GROUP_SIZES) };
  },
  bitsPerWeight(options: Int4GroupOptions, dims: LinearDims): number {
    return (8 * int4PackedBytes(options.groupSize, dims)) / (dims.outDim * dims.inDim);
  },
});
