/**
 * Which packed form each method's output takes, and the bits per weight that form really stores.
 * The choice is per method, not per backend: a form is written only if both the WASM EP and the
 * WebGPU EP run it (EP_RUNS in ep-support.ts, which e2e/packed.spec.ts checks form by form against
 * the EPs); a width no EP runs (3-bit) is stored f32 and marked simulated. Where a reader cannot be
 * rewired the variant fails to pack and says why.
 *
 *   magnitude-prune  f32        dense; zeros shrink the gzip, not the compute
 *   int4-group       nbits 4    MatMulNBits, block = the group size
 *   int8-channel     qdq-int8   int8 + DequantizeLinear(axis) → MatMul; a weight an embedding also reads
 *                               (a tied LM head opted in) stays 8-bit MatMulNBits, which GatherBlockQuantized
 *                               reads from the same bytes. Chosen by measurement (docs/int8-form.md): on the
 *                               124 M shape qdq's sessions hold less than nbits' on WASM and WebGPU (the DQ is
 *                               not folded into f32: scripts/int8-form-memory.ts), it ties on WASM speed and
 *                               is several times faster on WebGPU/SwiftShader (scripts/int8-form-speed.ts)
 *   fp16             fp16       half initializers + Cast
 *   rtn              nbits k    MatMulNBits for k in {2, 4, 8}; 3 bits: f32, simulated (no op runs it)
 *   gptq             nbits k    as rtn (the same grids and parts, the same rtnForm)
 *   nf4              bnb4       MatMulBnb4, quant_type NF4, block 64
 *   awq              nbits 4    MatMulNBits of W · diag(s), input / s (folded into the norm or a Mul); 3 bits: f32, simulated
 *   nm-prune         f32        dense (no onnxruntime-web op runs N:M sparsity)
 *   global-prune     f32        dense
 *   structured-prune f32        the zeroed twin; the variant itself is the rewritten graph (variants/structured.ts)
 */
import type { LinearWeight, MethodId } from '../api';
import { AWQ_SHARED_REASON, awqPacked } from '../compression/awq/meta';
import { linearView, type LinearView } from '../compression/layout';
import type { CompressionParts } from '../compression/types';
import { NBITS_PACKABLE, rtnBlockSize, RTN_3BIT_REASON } from '../compression/rtn/meta';
import { NF4_BLOCK } from '../compression/nf4/meta';
import { packBnb4 } from './matmul-bnb4';
import { NBITS_BLOCK_SIZES, packNBits } from './matmul-nbits';
import type { PackedForm } from './packed-model';

export const NF4_SHARED_REASON = 'an embedding (Gather) also reads this weight, and no onnxruntime op gathers NF4 rows';

export const INT8_FORMS = Object.freeze(['qdq', 'nbits'] as const);
export type Int8Form = (typeof INT8_FORMS)[number];

/** A short name of the stored form, for tables and the model card. */
export function formLabel(form: PackedForm): string {
  switch (form.kind) {
    case 'f32':
      return form.simulated ? `simulated (f32): ${form.simulated}` : 'f32 (dense)';
    case 'fp16':
      return 'fp16 + Cast';
    case 'qdq-int8':
      return 'int8 + DequantizeLinear (per channel)';
    case 'bnb4':
      return `MatMulBnb4 NF4, block ${form.weight.blockSize}`;
    case 'nbits':
      return `MatMulNBits ${form.weight.bits}-bit, block ${form.weight.blockSize}`;
  }
}

export function packedFormOf(
  method: MethodId,
  options: { groupSize?: number },
  parts: CompressionParts,
  w: Pick<LinearWeight, 'shape' | 'layout'> & { shared?: boolean },
  /** 'qdq' by default (a shared weight: 'nbits'): see the table above and docs/int8-form.md for the measurements */
  int8Form: Int8Form = w.shared ? 'nbits' : 'qdq',
): PackedForm {
  const view = linearView(w.shape, w.layout);
  // a string switch: 'fp16' joins METHOD_IDS with its kernel
  switch (method as string) {
    case 'magnitude-prune':
    case 'wanda':
    case 'sparsegpt':
    case 'nm-prune':
    case 'global-prune':
    case 'structured-prune':
      return { kind: 'f32', values: parts.dequantized };
    case 'nf4':
      // GatherBlockQuantized has no NF4 form: a weight an embedding also reads stays f32 (simulated)
      if (w.shared) return { kind: 'f32', values: parts.dequantized, simulated: NF4_SHARED_REASON };
      return { kind: 'bnb4', weight: packBnb4(parts.codes as Uint8Array, parts.scales!, view, NF4_BLOCK) };
    case 'awq': {
      // MatMulNBits of W · diag(s) and the input divided by s (packed-model.ts); 3-bit stored dequantized
      const bits = (options as { bits?: number }).bits ?? 4;
      if (!awqPacked(bits)) return { kind: 'f32', values: parts.dequantized, simulated: RTN_3BIT_REASON };
      if (w.shared) return { kind: 'f32', values: parts.dequantized, simulated: AWQ_SHARED_REASON };
      const weight = packNBits({ codes: parts.codes as Uint8Array, scales: parts.scales!, zeroPoints: parts.zeroPoints! }, view, 4, options.groupSize!);
      return { kind: 'nbits', weight, inputScale: parts.inputScale! };
    }
    case 'gptq': {
      // rtn's grids, codes and parts (gptq/reference.ts), so rtn's packing: symmetric, whole row, 3-bit simulated
      const o = options as { bits: number; groupSize: number; symmetric?: boolean };
      return rtnForm({ bits: o.bits, groupSize: o.groupSize, symmetric: o.symmetric ?? false }, parts, view);
    }
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
    case 'rtn':
      return rtnForm(options as { bits: number; groupSize: number; symmetric: boolean }, parts, view);
    case 'fp16':
      if (!(parts.codes instanceof Uint16Array)) throw new Error('fp16: expected the half bit patterns as codes');
      return { kind: 'fp16', halves: parts.codes };
    default:
      throw new Error(`no packed form for method ${String(method)}`);
  }
}

/**
 * rtn as MatMulNBits: symmetric signed codes are stored as q + 2^(k-1) with zero point 2^(k-1), a
 * whole-row group as blocks repeating the row's scale and zero point (the same dequantized weights).
 */
function rtnForm(o: { bits: number; groupSize: number; symmetric: boolean }, parts: CompressionParts, view: LinearView): PackedForm {
  if (!NBITS_PACKABLE.includes(o.bits)) return { kind: 'f32', values: parts.dequantized, simulated: RTN_3BIT_REASON };
  const blockSize = rtnBlockSize(o.groupSize, view.inDim);
  const blocks = Math.ceil(view.inDim / blockSize);
  const groups = o.groupSize ? blocks : 1;
  const offset = o.symmetric ? 2 ** (o.bits - 1) : 0;
  const scales = new Float32Array(view.outDim * blocks);
  const zeroPoints = new Uint8Array(view.outDim * blocks);
  for (let ch = 0; ch < view.outDim; ch++) {
    for (let b = 0; b < blocks; b++) {
      const g = ch * groups + (o.groupSize ? b : 0);
      scales[ch * blocks + b] = parts.scales![g];
      zeroPoints[ch * blocks + b] = o.symmetric ? offset : parts.zeroPoints![g];
    }
  }
  const codes = o.symmetric ? Uint8Array.from(parts.codes as Int8Array, (q) => q + offset) : (parts.codes as Uint8Array);
  return { kind: 'nbits', weight: packNBits({ codes, scales, zeroPoints }, view, o.bits as 2 | 4 | 8, blockSize) };
}
