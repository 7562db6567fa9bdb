/**
 * Which packed form each method's output takes, and the bits per weight that form really stores.
 * The choice is per method, not per backend: every form here runs on both the WASM EP and the
 * WebGPU EP (e2e/packed.spec.ts checks it); where a reader cannot be rewired the variant fails to
 * pack and says why.
 *
 *   magnitude-prune  f32        dense; zeros shrink the gzip, not the compute
 *   int4-group       nbits 4    MatMulNBits, block = the group size
 *   int8-channel     qdq-int8   int8 + DequantizeLinear(axis), or nbits 8 (MatMulNBits) on request
 *   fp16             fp16       half initializers + Cast
 */
import type { LinearWeight, MethodId } from '../api';
import { linearView } from '../compression/layout';
import type { CompressionParts } from '../compression/types';
import { NBITS_BLOCK_SIZES, packNBits } from './matmul-nbits';
import type { PackedForm } from './packed-model';

export const INT8_FORMS = Object.freeze(['qdq', 'nbits'] as const);
export type Int8Form = (typeof INT8_FORMS)[number];

/** A short name of the stored form, for tables and the model card. */
export function formLabel(form: PackedForm): string {
  switch (form.kind) {
    case 'f32':
      return 'f32 (dense)';
    case 'fp16':
      return 'fp16 + Cast';
    case 'qdq-int8':
      return 'int8 + DequantizeLinear (per channel)';
    case 'nbits':
      return `MatMulNBits ${form.weight.bits}-bit, block ${form.weight.blockSize}`;
  }
}

export function packedFormOf(
  method: MethodId,
  options: { groupSize?: number },
  parts: CompressionParts,
  w: Pick<LinearWeight, 'shape' | 'layout'>,
  int8Form: Int8Form = 'nbits',
): PackedForm {
  const view = linearView(w.shape, w.layout);
  // a string switch: 'fp16' joins METHOD_IDS with its kernel
  switch (method as string) {
    case 'magnitude-prune':
      return { kind: 'f32', values: parts.dequantized };
    case 'int4-group':
      return {
        kind: 'nbits',
        weight: packNBits(
          { codes: parts.codes as Uint8Array, scales: parts.scales!, zeroPoints: parts.zeroPoints! },
          view,
          4,
          options.groupSize!,
        ),
      };
    case 'int8-channel': {
      const codes = parts.codes as Int8Array;
      if (int8Form === 'qdq') return { kind: 'qdq-int8', codes, scales: parts.scales!, axis: w.layout === 'in_out' ? 1 : 0 };
      // per channel as 8-bit blocks: every block of a row repeats the row's scale, zero point 128
      const blockSize = [...NBITS_BLOCK_SIZES].reverse().find((b) => b <= view.inDim) ?? NBITS_BLOCK_SIZES[0];
      const blocks = Math.ceil(view.inDim / blockSize);
      const scales = new Float32Array(view.outDim * blocks);
      for (let o = 0; o < view.outDim; o++) scales.fill(parts.scales![o], o * blocks, (o + 1) * blocks);
      const unsigned = Uint8Array.from(codes, (q) => q + 128);
      return {
        kind: 'nbits',
        weight: packNBits({ codes: unsigned, scales, zeroPoints: new Uint8Array(view.outDim * blocks).fill(128) }, view, 8, blockSize),
      };
    }
    case 'fp16':
      if (!(parts.codes instanceof Uint16Array)) throw new Error('fp16: expected the half bit patterns as codes');
      return { kind: 'fp16', halves: parts.codes };
    default:
      throw new Error(`no packed form for method ${String(method)}`);
  }
}
