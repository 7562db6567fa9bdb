/**
 * Reference SparseGPT (plain loops; the truth sparsegpt.wgsl is held to). Following Algorithm 1 of
 * the paper and its reference code (sparsegpt.py), one output row at a time (rows are independent
 * given U, which is what lets the GPU give each row its own thread):
 *
 *   dead inputs (H_ii = 0): weights 0;  U = chol((H + 1 % · mean(diag H) · I)⁻¹), upper
 *   for each block of 128 columns:
 *     unstructured: prune the row's lowest w_i² / U_ii² in the block (values at the block's start)
 *     for each column a of the block:
 *       N:M, at a run's first column: prune the run's M − N lowest w_i² / U_ii² (current values)
 *       q = pruned ? 0 : w_a;  e = (w_a − q) / U_aa;  w_j −= e · U_aj for every later column j
 *
 * Deviations from the reference code, both to keep rows independent: the unstructured mask is
 * chosen per row within the block (the code thresholds the whole block across rows; Wanda found
 * per-row selection better for LLMs), and each later column is updated directly instead of in a
 * lazy batch (the same sums; lazy batching only saves memory traffic on a GPU with a matmul).
 *
 * Arithmetic is f32 in the order the WGSL does it (U rounded to f32 once, 1 / U_aa and 1 / U_aa²
 * computed here in f32 and handed to the GPU as they are; no division on the GPU), so both sides
 * compute the same floats. `loss` is SparseGPT's Σ (w − q)² / U_aa² / 2, summed per row in f32.
 */
import { linearView } from '../layout';
import { inverseHessianFactor } from '../gptq/reference';
import { labError } from '../../errors';
import type { CompressionParts, WeightTensor } from '../types';
import { wandaNm } from '../wanda/meta';
import { SPARSEGPT_BLOCK, type SparseGptOptions } from './meta';

const f = Math.fround;

/** What both sides start from: U in f32 and the per-column factors, computed once in TS. */
export interface SparseGptSetup {
  outDim: number;
  inDim: number;
  strideOut: number;
  strideIn: number;
  /** (in, in) row-major, upper: f32 of GPTQ's f64 factor */
  u: Float32Array;
  /** [1 / U_aa for a < in, then 1 / U_aa² for a < in], f32 */
  inv: Float32Array;
  /** unstructured: weights each row prunes in each block of SPARSEGPT_BLOCK columns */
  blockPrune: Uint32Array;
  /** [N kept, M run] of an N:M pattern, or [0, 0] */
  nm: [number, number];
  /** the weights with dead inputs zeroed, in stored order */
  data: Float32Array;
}

export function sparseGptSetup(tensor: WeightTensor, options: SparseGptOptions): SparseGptSetup {
  const view = linearView(tensor.shape, tensor.layout);
  const k = view.inDim;
  const h = tensor.calibration?.hessian;
  const name = tensor.name ?? 'a tensor';
  if (!h) throw labError('BadOption', `sparsegpt on ${name}: needs the calibration Hessian of its inputs; none was given`);
  if (h.length !== k * k) throw labError('BadOption', `sparsegpt on ${name}: a Hessian of ${h.length} values for an input of ${k} (expected ${k * k})`);
  const dead = new Uint8Array(k);
  for (let i = 0; i < k; i++) dead[i] = h[i * k + i] === 0 ? 1 : 0;
  const natural = Array.from({ length: k }, (_, i) => i);
  const u = inverseHessianFactor(h, k, natural, dead, name);
  const inv = new Float32Array(2 * k);
  for (let a = 0; a < k; a++) {
    inv[a] = f(1 / u[a * k + a]);
    inv[k + a] = f(inv[a] * inv[a]);
  }
  const nBlocks = Math.ceil(k / SPARSEGPT_BLOCK);
  // cumulated, so a row prunes exactly round(ratio · in) in all
  const upTo = (c: number) => Math.round(options.ratio * c);
  const blockPrune = Uint32Array.from({ length: nBlocks }, (_, b) => upTo(Math.min(k, (b + 1) * SPARSEGPT_BLOCK)) - upTo(b * SPARSEGPT_BLOCK));
  const data = new Float32Array(tensor.data);
  for (let o = 0; o < view.outDim; o++) for (let i = 0; i < k; i++) if (dead[i]) data[o * view.strideOut + i * view.strideIn] = 0;
  return { ...view, u, inv, blockPrune, nm: wandaNm(options.pattern) ?? [0, 0], data };
}

/** Marks in `pruned` (indexed by column − from) the `count` lowest OBS errors of row[from, to), ties to the lower index. */
function selectLowest(row: Float32Array, inv: Float32Array, k: number, from: number, to: number, count: number, pruned: Uint8Array): void {
  const score = (i: number) => f(f(row[i] * row[i]) * inv[k + i]);
  for (let i = from; i < to; i++) {
    const s = score(i);
    let rank = 0;
    for (let j = from; j < to; j++) {
      const t = score(j);
      if (t < s || (t === s && j < i)) rank++;
    }
    pruned[i - from] = rank < count ? 1 : 0;
  }
}

export function sparseGptReference(tensor: WeightTensor, options: SparseGptOptions): CompressionParts {
  const s = sparseGptSetup(tensor, options);
  const { outDim: n, inDim: k, u, inv, nm } = s;
  const dequantized = new Float32Array(s.data.length);
  const mask = new Uint8Array(s.data.length);
  const row = new Float32Array(k);
  const pruned = new Uint8Array(SPARSEGPT_BLOCK);
  let loss = 0;
  for (let o = 0; o < n; o++) {
    for (let i = 0; i < k; i++) row[i] = s.data[o * s.strideOut + i * s.strideIn];
    let rowLoss = 0;
    for (let b1 = 0; b1 < k; b1 += SPARSEGPT_BLOCK) {
      const b2 = Math.min(k, b1 + SPARSEGPT_BLOCK);
      if (nm[1] === 0) selectLowest(row, inv, k, b1, b2, s.blockPrune[b1 / SPARSEGPT_BLOCK], pruned.subarray(0));
      for (let a = b1; a < b2; a++) {
        if (nm[1] > 0 && a % nm[1] === 0) {
          const end = Math.min(k, a + nm[1]);
          selectLowest(row, inv, k, a, end, Math.max(0, end - a - nm[0]), pruned.subarray(a - b1));
        }
        const x = row[a];
        const p = pruned[a - b1] === 1;
        const q = p ? 0 : x;
        const at = o * s.strideOut + a * s.strideIn;
        dequantized[at] = q;
        mask[at] = p ? 0 : 1;
        const d = f(x - q);
        if (d !== 0) {
          rowLoss = f(rowLoss + f(f(d * d) * inv[k + a]));
          const e = f(d * inv[a]);
          const base = a * k;
          for (let j = a + 1; j < k; j++) row[j] = f(row[j] - f(e * u[base + j]));
        }
      }
    }
    loss += rowLoss;
  }
  return { dequantized, mask, loss: loss / 2 };
}
