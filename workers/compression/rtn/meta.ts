/**
 * rtn: round-to-nearest INTk, k in {8, 4, 3, 2}, in groups of 32 / 64 / 128 consecutive weights
 * along the input of one output channel, or one group per channel (groupSize 0 = "row").
 *   symmetric:  L = 2^(k-1) - 1, scale = max(max|w| * fround(1/L), 2^-100), q in [-L, L] (signed),
 *               w' = q * scale; zero stays zero.
 *   asymmetric: L = 2^k - 1, range [min(0, min w), max(0, max w)], scale = max(range * fround(1/L), 2^-100),
 *               zp = round(-min / scale), q in [0, L], w' = (q - zp) * scale; zero stays zero.
 * The arithmetic is shared/affine.ts (so rtn 4-bit asymmetric g32 equals int4-group g32, and
 * 8-bit symmetric per row equals int8-channel, bit for bit).
 *
 * Packed form: MatMulNBits for the widths both EPs run — EP_RUNS (formats/ep-support.ts), which
 * e2e/packed.spec.ts checks by running a tiny MatMulNBits graph of every width on the WASM and
 * WebGPU EPs of onnxruntime-web 1.30: 2, 4 and 8 bits run and compute the f32 maths on both; 3 bits
 * is refused by both ("Only 2b, 4b and 8b quantization is supported for MatMulNBits"; onnxruntime-node
 * the same, workers/formats/ep-probe.test.ts). Symmetric codes are stored unsigned as q + 2^(k-1)
 * with zero point 2^(k-1); a whole-row group is stored as blocks that repeat the row's scale and
 * zero point. A 3-bit variant is stored f32 and marked simulated; its bits per weight are those a
 * 3-bit MatMulNBits-like packing would take.
 */
import type { MethodOptions } from '../../api';
import { labError } from '../../errors';
import { epRuns, type FormId } from '../../formats/ep-support';
import { nbitsBytes, NBITS_BLOCK_SIZES } from '../../formats/matmul-nbits';
import { oneOf, rejectUnknownOptions } from '../shared/options';
import type { LinearDims, MethodMeta, OptionField } from '../types';

export const RTN_BITS = Object.freeze([8, 4, 3, 2] as const);
export type RtnBits = (typeof RTN_BITS)[number];
/** 0 = one group per output channel (the whole row) */
export const RTN_GROUP_SIZES = Object.freeze([32, 64, 128, 0] as const);
export type RtnGroupSize = (typeof RTN_GROUP_SIZES)[number];
/** bit widths whose MatMulNBits both EPs run (EP_RUNS, checked by e2e/packed.spec.ts): 2, 4 and 8 */
export const NBITS_PACKABLE: readonly number[] = Object.freeze(
  [2, 3, 4, 8].filter((b) => epRuns(`nbits${b}` as FormId, 'wasm') && epRuns(`nbits${b}` as FormId, 'webgpu')),
);
export const RTN_3BIT_REASON = 'no onnxruntime op runs 3-bit weights (MatMulNBits with bits 3 is refused by the WASM and WebGPU EPs of onnxruntime-web 1.30 and by onnxruntime-node: tested in e2e/packed.spec.ts, workers/formats/ep-support.ts)';

export interface RtnOptions {
  bits: RtnBits;
  groupSize: RtnGroupSize;
  symmetric: boolean;
}

/** The code range and level count of a grid. */
export function rtnLevels(o: Pick<RtnOptions, 'bits' | 'symmetric'>): { levels: number; qmin: number; qmax: number } {
  if (o.symmetric) {
    const l = 2 ** (o.bits - 1) - 1;
    return { levels: l, qmin: -l, qmax: l };
  }
  const l = 2 ** o.bits - 1;
  return { levels: l, qmin: 0, qmax: l };
}

/** The MatMulNBits block size that stores a group: the group itself, or for a whole row the largest block within the row. */
export function rtnBlockSize(groupSize: number, inDim: number): number {
  if (groupSize) return groupSize;
  return [...NBITS_BLOCK_SIZES].reverse().find((b) => b <= inDim) ?? NBITS_BLOCK_SIZES[0];
}

const groupLabel = (g: number) => (g === 0 ? 'row' : `g${g}`);

export const rtnMeta: MethodMeta<RtnOptions> = Object.freeze({
  id: 'rtn',
  label: 'Round to nearest INTk',
  description: 'k-bit integer weights (8, 4, 3 or 2), one f32 scale per group along the input or per row, symmetric or with a zero point.',
  defaults: Object.freeze({ bits: 4 as RtnBits, groupSize: 32 as RtnGroupSize, symmetric: false }),
  fields: Object.freeze<OptionField[]>([
    { key: 'bits', label: 'bits', choices: RTN_BITS, format: (v) => `INT${v}` },
    { key: 'groupSize', label: 'group', choices: RTN_GROUP_SIZES, format: (v) => (v === 0 ? 'whole row' : String(v)) },
    { key: 'symmetric', label: 'grid', choices: [false, true], format: (v) => (v ? 'symmetric' : 'asymmetric') },
  ]),
  variantLabel: (o: RtnOptions) => `INT${o.bits} ${groupLabel(o.groupSize)} ${o.symmetric ? 'sym' : 'asym'}`,
  resolveOptions(options: MethodOptions): RtnOptions {
    rejectUnknownOptions('rtn', options, ['bits', 'groupSize', 'symmetric']);
    const symmetric = options?.symmetric ?? false;
    if (typeof symmetric !== 'boolean') throw labError('BadOption', `rtn: symmetric must be true or false, got ${String(symmetric)}`);
    return {
      bits: oneOf('rtn', 'bits', options?.bits, 4, RTN_BITS),
      groupSize: oneOf('rtn', 'groupSize', options?.groupSize, 32, RTN_GROUP_SIZES),
      symmetric,
    };
  },
  bitsPerWeight(o: RtnOptions, dims: LinearDims): number {
    if (NBITS_PACKABLE.includes(o.bits)) {
      return (8 * nbitsBytes(o.bits, rtnBlockSize(o.groupSize, dims.inDim), dims.outDim, dims.inDim)) / (dims.outDim * dims.inDim);
    }
    return simulatedBitsPerWeight(o.bits, o.groupSize, o.symmetric, dims.inDim);
  },
});

/**
 * Bits per weight of a width no EP runs (3 bits: stored f32, simulated): codes, one f32 scale and
 * one k-bit zero point per group, bits packed tightly. One formula for every method that writes
 * such a variant (rtn, GPTQ, AWQ), so the same setting reads the same size whichever method made it.
 */
export function simulatedBitsPerWeight(bits: number, groupSize: number, symmetric: boolean, inDim: number): number {
  const groups = groupSize ? Math.ceil(inDim / groupSize) : 1;
  const perGroup = 32 + (symmetric ? 0 : bits);
  return bits + (groups * perGroup) / inDim;
}
