/**
 * Test inputs for the calibrated methods (GPTQ, SparseGPT): a layer's calibration activations with
 * a few shared factors plus noise and some columns louder than others (correlated, as real
 * activations are), their Hessian Xᵀ X, and the layer output error ‖X (W − Ŵ)ᵀ‖² a method
 * should lower. Weights are (out, in).
 */
import { accumulateHessian } from '../../calibration/accumulate';

export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
}

export interface CorrelatedLayer {
  x: Float32Array;
  hessian: Float32Array;
  /** ‖X (W − Ŵ)ᵀ‖² over the calibration rows, for W and Ŵ of `out` rows stored (out, in) */
  outputError(w: Float32Array, deq: Float32Array, out: number): number;
}

export function correlatedLayer(rows: number, k: number, seed = 11): CorrelatedLayer {
  const r = lcg(seed);
  const factors = Array.from({ length: rows * 4 }, r);
  const x = new Float32Array(rows * k);
  for (let n = 0; n < rows; n++) for (let i = 0; i < k; i++) x[n * k + i] = (factors[n * 4 + (i % 4)] + 0.3 * r()) * (1 + (i % 5));
  const hessian = new Float32Array(k * k);
  accumulateHessian(hessian, x, rows, k);
  const outputError = (w: Float32Array, deq: Float32Array, out: number) => {
    let e = 0;
    for (let n = 0; n < rows; n++) {
      for (let o = 0; o < out; o++) {
        let d = 0;
        for (let i = 0; i < k; i++) d += x[n * k + i] * (w[o * k + i] - deq[o * k + i]);
        e += d * d;
      }
    }
    return e;
  };
  return { x, hessian, outputError };
}
