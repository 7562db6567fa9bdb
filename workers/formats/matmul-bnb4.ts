/**
 * MatMulBnb4 (com.microsoft): bitsandbytes' 4-bit weights, which onnxruntime-node and both EPs of
 * onnxruntime-web 1.30 run (WASM on the CPU kernels; WebGPU has its own program — measured
 * 2026-11-29, /work/shared/measurements.md). A weight seen as (N = out, K = in):
 *   B       uint8 (ceil(N*K / 2))          the flat (N, K) codes, even index in the high nibble
 *   absmax  f32   (ceil(N*K / block_size)) one per block of the flat order
 *   y = A · dequant(B)ᵀ, dequant(p) = CODE_BOOK[q(p)] · absmax[p / block_size]   (quant_type 1 = NF4)
 */
import type { LinearView } from '../compression/layout';

export interface Bnb4Weight {
  k: number;
  n: number;
  blockSize: number;
  /** 0 = FP4, 1 = NF4 */
  quantType: 0 | 1;
  b: Uint8Array;
  absmax: Float32Array;
}

/** Pack NF4 codes given in the tensor's stored order (see view) with their per-block absmax. */
export function packBnb4(codes: Uint8Array, absmax: Float32Array, view: LinearView, blockSize: number): Bnb4Weight {
  const { outDim: n, inDim: k } = view;
  if (absmax.length !== Math.ceil((n * k) / blockSize)) throw new Error(`expected ${Math.ceil((n * k) / blockSize)} absmax values, got ${absmax.length}`);
  const b = new Uint8Array(Math.ceil((n * k) / 2));
  for (let o = 0; o < n; o++) {
    for (let i = 0; i < k; i++) {
      const p = o * k + i;
      const q = codes[o * view.strideOut + i * view.strideIn];
      if (q > 15) throw new Error(`code ${q} at (${o}, ${i}) does not fit in 4 bits`);
      b[p >> 1] |= p % 2 === 0 ? q << 4 : q;
    }
  }
  return { k, n, blockSize, quantType: 1, b, absmax };
}
