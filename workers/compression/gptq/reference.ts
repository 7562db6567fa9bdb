/**
 * Reference GPTQ (plain loops; the truth gptq-block.wgsl and gptq-lazy.wgsl are held to),
 * following Algorithm 1 of the paper and its reference code (gptq.py):
 *
 *   H ← Xᵀ X; dead inputs (H_ii = 0) get H_ii = 1 and their weights 0
 *   act order: columns in order of decreasing H_ii (ties by index); group grids are then fixed
 *     up front from the original weights ("static groups") so the groups stay runs of consecutive
 *     inputs, as MatMulNBits stores them
 *   H ← H + 1 % · mean(diag H) · I;  U = chol(H⁻¹) upper          (f64, in TS: cholesky.ts)
 *   for each block of 128 columns:                                  (lazy batch)
 *     for each column a of the block:
 *       (without act order, at a group's first column: its grid from the current weights)
 *       q = quantize(w_a) on the group's grid;  e = (w_a − q) / U_aa
 *       w_j −= e · U_aj for the later columns j of the block
 *     w_j −= Σ_blk e · U_blk,j for every column j after the block
 *
 * The grid and the rounding are rtn's (rtn/reference.ts, the arithmetic of shared/affine.ts):
 * asymmetric (range with 0 included, qmax = 2^bits − 1) or symmetric (max|w|, codes in ±(2^(bits−1) − 1)),
 * in groups or one per row (groupSize 0); with H = I nothing is carried (U is diagonal) and the
 * result is exactly rtn's (gptq-identity.test.ts). Rows are independent given U, so they are processed one by one.
 *
 * The column loop is f32 in the order the WGSL does it, as gptq.py runs it in f32 too: U is the
 * f64 factor rounded to f32 once, 1 / U_aa and 1 / U_aa² are computed here in f32 and handed to
 * the GPU as they are (no division on the GPU), and each column after a block subtracts the
 * block's errors in block order. So both sides compute the same floats and the same codes.
 * `loss` is GPTQ's Σ (w − q)² / U_aa² / 2, summed per row in f32, the layer's calibration loss.
 */
import { labError } from '../../errors';
import { dequantizeValue, inverseLevels, quantizeValue, roundDiv, scaleOf } from '../shared/affine';
import { linearView } from '../layout';
import type { CompressionParts, WeightTensor } from '../types';
import { factorWork, reversedInverseCholeskyF32 } from './cholesky';
import { rtnLevels } from '../rtn/meta';
import { GPTQ_BLOCK, GPTQ_DAMP, type GptqOptions } from './meta';

const f = Math.fround;
/** Dampening is multiplied by 10 this many times before a Hessian is declared unusable. */
const DAMP_RETRIES = 4;

export interface GptqParts extends CompressionParts {
  loss: number;
}

/** The order columns are quantized in: natural, or by decreasing H_ii (ties: lower index first). */
export function columnOrder(h: Float32Array, k: number, actOrder: boolean): number[] {
  const order = Array.from({ length: k }, (_, i) => i);
  if (actOrder) order.sort((a, b) => h[b * k + b] - h[a * k + a] || a - b);
  return order;
}

/**
 * U = chol((H_perm + damp·I)⁻¹), upper, f32 of the f64 factor; raises the dampening if H is not
 * positive definite. One f64 work matrix, filled with the permuted Hessian already reversed (what
 * cholesky.ts factors; its lower triangle only) and factored in place: at K = 3,072 that is 75 MB,
 * where copies for the permutation, the reversal, each attempt, L, L⁻¹ and U took six.
 */
export function inverseHessianFactor(h: Float32Array, k: number, order: readonly number[], dead: Uint8Array, name: string): Float32Array {
  let meanDiag = 0;
  for (let a = 0; a < k; a++) meanDiag += (dead[order[a]] ? 1 : h[order[a] * k + order[a]]) / k;
  const work = factorWork(k); // on a WebAssembly memory: cholesky.ts's products run there in place
  let damp = GPTQ_DAMP * meanDiag;
  for (let attempt = 0; attempt <= DAMP_RETRIES; attempt++, damp *= 10) {
    // work[i, j] = H_perm[k−1−i, k−1−j] for j ≤ i, dead inputs' rows and columns 0 but a 1 on the diagonal
    for (let i = 0; i < k; i++) {
      const a = order[k - 1 - i];
      const row = a * k;
      for (let j = 0; j < i; j++) {
        const b = order[k - 1 - j];
        work[i * k + j] = dead[a] || dead[b] ? 0 : h[row + b];
      }
      work[i * k + i] = (dead[a] ? 1 : h[row + a]) + damp;
    }
    const u = reversedInverseCholeskyF32(work, k);
    if (u) return u;
  }
  throw labError('BadOption', `gptq on ${name}: the calibration Hessian is not positive definite even with dampening ×${10 ** DAMP_RETRIES}`);
}

/**
 * U per Hessian (the array calibration hands every weight that reads the same input) and column
 * order, kept while that Hessian lives: weights that share an input (a Llama's q, k and v; its gate
 * and up) factor it once instead of once each. U depends on H and the order alone, not on the weights.
 */
const factors = new WeakMap<Float32Array, Map<boolean, Float32Array>>();

function factorOf(h: Float32Array, actOrder: boolean, make: () => Float32Array): Float32Array {
  let byOrder = factors.get(h);
  if (!byOrder) factors.set(h, (byOrder = new Map()));
  let u = byOrder.get(actOrder);
  if (!u) byOrder.set(actOrder, (u = make()));
  return u;
}

/**
 * rtn's grid rule for one group of f32 values: [scale, zero point]. Asymmetric (int4-group's): the
 * range with 0 included, zero point round(−min / scale); symmetric: max|w| (as max(−min, max) with 0
 * included, rtn/reference.ts), zero point 0.
 */
export function fitGroup(values: ArrayLike<number>, from: number, to: number, qmax: number, invLevels: number, symmetric = false): [number, number] {
  let mn = 0;
  let mx = 0;
  for (let i = from; i < to; i++) {
    const w = f(values[i]);
    mn = Math.min(mn, w);
    mx = Math.max(mx, w);
  }
  if (symmetric) return [scaleOf(Math.max(-mn, mx), invLevels), 0];
  const s = scaleOf(f(mx - mn), invLevels);
  return [s, roundDiv(-mn, s, qmax)];
}

/** What the TS loop and the WGSL both start from, computed once in TS (see the header). */
export interface GptqSetup {
  outDim: number;
  inDim: number;
  strideOut: number;
  strideIn: number;
  /** the group's width: options.groupSize, or the whole input for 0 (a row) */
  groupSize: number;
  nGroups: number;
  /** rtn's grid: symmetric codes in [−qmax, qmax] with zero point 0, else [0, qmax] */
  symmetric: boolean;
  qmin: number;
  qmax: number;
  invLevels: number;
  actOrder: boolean;
  /** the input column quantized at step a */
  order: Uint32Array;
  /** (in, in) row-major, upper, in quantization order: f32 of the f64 factor (shared by the weights of one Hessian: read only) */
  u: Float32Array;
  /** [1 / U_aa for a < in, then 1 / U_aa² for a < in], f32 */
  inv: Float32Array;
  /** act order: every group's grid, fitted up front on the weights (out, nGroups); else zeros, fitted in the loop */
  scales: Float32Array;
  zeroPoints: Uint8Array;
  /** the weights with dead inputs zeroed, in stored order */
  data: Float32Array;
  /** time spent factoring (inverseHessianFactor), ms; ~0 when a weight with the same Hessian had it factored */
  factorMs: number;
}

export function gptqSetup(tensor: WeightTensor, options: GptqOptions): GptqSetup {
  const view = linearView(tensor.shape, tensor.layout);
  const { outDim: n, inDim: k } = view;
  const h = tensor.calibration?.hessian;
  const name = tensor.name ?? 'a tensor';
  if (!h) throw labError('BadOption', `gptq on ${name}: needs the calibration Hessian of its inputs; none was given`);
  if (h.length !== k * k) throw labError('BadOption', `gptq on ${name}: a Hessian of ${h.length} values for an input of ${k} (expected ${k * k})`);
  const { actOrder } = options;
  const symmetric = options.symmetric ?? false;
  const groupSize = options.groupSize || k;
  const { levels, qmin, qmax } = rtnLevels({ bits: options.bits, symmetric });
  const invLevels = inverseLevels(levels);
  const nGroups = Math.ceil(k / groupSize);
  const dead = new Uint8Array(k);
  for (let i = 0; i < k; i++) dead[i] = h[i * k + i] === 0 ? 1 : 0;
  const order = columnOrder(h, k, actOrder);
  const t = performance.now();
  const u = factorOf(h, actOrder, () => inverseHessianFactor(h, k, order, dead, name));
  const factorMs = performance.now() - t;
  const inv = new Float32Array(2 * k);
  for (let a = 0; a < k; a++) {
    inv[a] = f(1 / u[a * k + a]);
    inv[k + a] = f(inv[a] * inv[a]);
  }
  const data = new Float32Array(tensor.data);
  for (let o = 0; o < n; o++) for (let i = 0; i < k; i++) if (dead[i]) data[o * view.strideOut + i * view.strideIn] = 0;
  const scales = new Float32Array(n * nGroups);
  const zeroPoints = new Uint8Array(n * nGroups);
  if (actOrder) {
    const natural = new Float32Array(k);
    for (let o = 0; o < n; o++) {
      for (let i = 0; i < k; i++) natural[i] = data[o * view.strideOut + i * view.strideIn];
      for (let g = 0; g < nGroups; g++) [scales[o * nGroups + g], zeroPoints[o * nGroups + g]] = fitGroup(natural, g * groupSize, Math.min(k, (g + 1) * groupSize), qmax, invLevels, symmetric);
    }
  }
  return { ...view, groupSize, nGroups, symmetric, qmin, qmax, invLevels, actOrder, order: Uint32Array.from(order), u, inv, scales, zeroPoints, data, factorMs };
}

export function gptqReference(tensor: WeightTensor, options: GptqOptions): GptqParts {
  const s = gptqSetup(tensor, options);
  const t = performance.now();
  const r = gptqLoop(s);
  return { ...r, phaseMs: { factor: s.factorMs, loop: performance.now() - t } };
}

/**
 * The column loop from a setup (exported so a test can time the loop alone). `mask` (stored order,
 * 0 = pruned; masked.ts): pruned weights are fixed at 0 (code = the zero point) and their error is
 * carried like any other, and a group's grid is fitted on its kept weights only.
 */
export function gptqLoop(s: GptqSetup, mask?: Uint8Array): GptqParts {
  const { outDim: n, inDim: k, order, u, inv, groupSize, nGroups, symmetric, qmin, qmax, invLevels } = s;
  const scales = s.scales.slice();
  const zeroPoints = s.zeroPoints.slice();
  const codes = symmetric ? new Int8Array(s.data.length) : new Uint8Array(s.data.length);
  const dequantized = new Float32Array(s.data.length);
  const row = new Float32Array(k); // one output row in quantization order
  const err = new Float32Array(GPTQ_BLOCK);
  const kept = mask ? new Float32Array(k) : row; // what a group's grid is fitted on
  let loss = 0;
  for (let o = 0; o < n; o++) {
    for (let a = 0; a < k; a++) row[a] = s.data[o * s.strideOut + order[a] * s.strideIn];
    let rowLoss = 0;
    for (let b1 = 0; b1 < k; b1 += GPTQ_BLOCK) {
      const b2 = Math.min(k, b1 + GPTQ_BLOCK);
      for (let a = b1; a < b2; a++) {
        const c = order[a]; // the input column quantized now
        const g = o * nGroups + Math.floor(c / groupSize);
        if (!s.actOrder && c % groupSize === 0) {
          // without act order a = c: the group's columns are row[c .. c + groupSize), updated so far
          if (mask) for (let j = c; j < Math.min(k, c + groupSize); j++) kept[j] = mask[o * s.strideOut + j * s.strideIn] ? row[j] : 0;
          [scales[g], zeroPoints[g]] = fitGroup(kept, c, Math.min(k, c + groupSize), qmax, invLevels, symmetric);
        }
        const w = row[a];
        const at = o * s.strideOut + c * s.strideIn;
        const q = mask && !mask[at] ? zeroPoints[g] : quantizeValue(w, scales[g], zeroPoints[g], qmin, qmax);
        const deq = dequantizeValue(q, scales[g], zeroPoints[g]);
        codes[at] = q;
        dequantized[at] = deq;
        const d = f(w - deq);
        rowLoss = f(rowLoss + f(f(d * d) * inv[k + a]));
        const e = f(d * inv[a]);
        err[a - b1] = e;
        const base = a * k;
        for (let j = a + 1; j < b2; j++) row[j] = f(row[j] - f(e * u[base + j]));
      }
      // the lazy batch update: every column after the block, the block's errors subtracted in
      // order a = b1, b1 + 1, … (the WGSL's per-column order; a outer here only to read U by rows)
      for (let a = b1; a < b2; a++) {
        const e = err[a - b1];
        const base = a * k;
        for (let j = b2; j < k; j++) row[j] = f(row[j] - f(e * u[base + j]));
      }
    }
    loss += rowLoss;
  }
  return gptqParts(symmetric, dequantized, codes, scales, zeroPoints, loss / 2);
}

/** rtn's parts for the grid: a symmetric grid has signed codes and no zero points (rtn/reference.ts). */
export function gptqParts(symmetric: boolean, dequantized: Float32Array, codes: Int8Array | Uint8Array, scales: Float32Array, zeroPoints: Uint8Array, loss: number): GptqParts {
  return symmetric ? { dequantized, codes, scales, loss } : { dequantized, codes, scales, zeroPoints, loss };
}
