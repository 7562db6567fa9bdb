/**
 * nf4: 4-bit NormalFloat, the QLoRA code book (Dettmers et al. 2023), blocks of 64 consecutive
 * weights of the (out, in) matrix in row-major order (bitsandbytes' blocks on an nn.Linear weight,
 * so a block may run across the end of a row), one f32 absmax per block.
 *   a = max(max|w| over the block, 2^-100)
 *   q = #{ j : w >= fround(MID[j] * a) }  (MID = the 15 midpoints between neighbouring code values)
 *   w' = fround(NF4[q] * a)
 * Comparing w with products (never dividing) keeps the GPU and the CPU bit-exact, and NF4[7] = 0
 * keeps zeros (pruned weights) exactly zero.
 *
 * Packed form: MatMulBnb4 (com.microsoft, quant_type 1 = NF4), which onnxruntime-node and the WASM
 * and WebGPU EPs of onnxruntime-web 1.30 run (measured 2026-11-29, /work/shared/measurements.md):
 *   B       uint8 (ceil(N*K / 2))   the flat (N, K) codes, two a byte, even index in the high nibble
 *   absmax  f32   (ceil(N*K / 64))
 */
import type { MethodOptions } from '../../api';
import { rejectUnknownOptions } from '../shared/options';
import type { LinearDims, MethodMeta, OptionField } from '../types';

export type Nf4Options = Record<string, never>;

export const NF4_BLOCK = 64;

/** The NF4 code book as bitsandbytes and onnxruntime write it, ascending; index 7 is exactly 0. */
export const NF4_VALUES: Float32Array = Float32Array.from([
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334,
  -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
  0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
]);

/** fround of the midpoints between neighbours: the decision boundaries (times a). */
export const NF4_MIDPOINTS: Float32Array = Float32Array.from({ length: 15 }, (_, j) => (NF4_VALUES[j] + NF4_VALUES[j + 1]) / 2);

/** Bytes of the MatMulBnb4 tensors (B, absmax) for one weight. */
export function nf4PackedBytes(dims: LinearDims): number {
  const n = dims.outDim * dims.inDim;
  return Math.ceil(n / 2) + 4 * Math.ceil(n / NF4_BLOCK);
}

export const nf4Meta: MethodMeta<Nf4Options> = Object.freeze({
  id: 'nf4',
  label: 'NF4 (QLoRA)',
  description: '4-bit NormalFloat code book, one f32 absmax per block of 64 weights (MatMulBnb4).',
  defaults: Object.freeze({}),
  fields: Object.freeze<OptionField[]>([]),
  variantLabel: () => 'NF4 b64',
  resolveOptions(options: MethodOptions): Nf4Options {
    rejectUnknownOptions('nf4', options, []);
    return {};
  },
  bitsPerWeight(_o: Nf4Options, dims: LinearDims): number {
    return (8 * nf4PackedBytes(dims)) / (dims.outDim * dims.inDim);
  },
});
