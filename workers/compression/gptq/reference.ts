/**
 * Reference GPTQ (plain loops, f64 linear algebra, f32 quantization grid), following Algorithm 1
 * of the paper and its reference code (gptq.py):
 *
 *   H ← Xᵀ X; dead inputs (H_ii = 0) get H_ii = 1 and their weights 0
 *   act order: columns in order of decreasing H_ii (ties by index); group grids are then fixed
 *     up front from the original weights ("static groups") so the groups stay runs of consecutive
 *     inputs, as MatMulNBits stores them
 *   H ← H + 1 % · mean(diag H) · I;  U = chol(H⁻¹) upper
 *   for each block of 128 columns:                       (lazy batch)
 *     for each column i of the block:
 *       (without act order, at a group's first column: its grid from the current weights)
 *       q = quantize(w_i) on the group's grid;  e = (w_i − q) / U_ii
 *       w_j −= e · U_ij for the later columns j of the block
 *     w_j −= Σ_blk e · U_blk,j for every column j after the block
 *
 * The grid and the rounding are int4-group's (shared/affine.ts, range with 0 included) at
 * qmax = 2^bits − 1; with H = I nothing is carried (U is diagonal) and the result is exactly
 * int4-group's (gptq.test.ts). Rows are independent given U, so they are processed one by one.
 * `loss` is GPTQ's Σ (w − q)² / U_ii² / 2, the layer's calibration loss.
 */
import { labError } from '../../errors';
import { dequantizeValue, inverseLevels, quantizeValue, roundDiv, scaleOf } from '../shared/affine';
import { linearView } from '../layout';
import type { CompressionParts, WeightTensor } from '../types';
import { inverseCholeskyUpper } from './cholesky';
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

/** U = chol((H_perm + damp·I)⁻¹), upper, f64; raises the dampening if H is not positive definite. */
export function inverseHessianFactor(h: Float32Array, k: number, order: readonly number[], dead: Uint8Array, name: string): Float64Array {
  const hp = new Float64Array(k * k);
  let meanDiag = 0;
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) hp[a * k + b] = dead[order[a]] || dead[order[b]] ? 0 : h[order[a] * k + order[b]];
    if (dead[order[a]]) hp[a * k + a] = 1;
    meanDiag += hp[a * k + a] / k;
  }
  let damp = GPTQ_DAMP * meanDiag;
  for (let attempt = 0; attempt <= DAMP_RETRIES; attempt++, damp *= 10) {
    const m = hp.slice();
    for (let a = 0; a < k; a++) m[a * k + a] += damp;
    const u = inverseCholeskyUpper(m, k);
    if (u) return u;
  }
  throw labError('BadOption', `gptq on ${name}: the calibration Hessian is not positive definite even with dampening ×${10 ** DAMP_RETRIES}`);
}

interface Grid {
  scales: Float32Array; // (out, nGroups)
  zeroPoints: Uint8Array; // (out, nGroups)
}

/** int4-group's grid rule for one group of f32 values: [scale, zero point]. */
export function fitGroup(values: ArrayLike<number>, from: number, to: number, qmax: number, invLevels: number): [number, number] {
  let mn = 0;
  let mx = 0;
  for (let i = from; i < to; i++) {
    const w = f(values[i]);
    mn = Math.min(mn, w);
    mx = Math.max(mx, w);
  }
  const s = scaleOf(f(mx - mn), invLevels);
  return [s, roundDiv(-mn, s, qmax)];
}

export function gptqReference(tensor: WeightTensor, options: GptqOptions): GptqParts {
  const view = linearView(tensor.shape, tensor.layout);
  const { outDim: n, inDim: k } = view;
  const h = tensor.calibration?.hessian;
  const name = tensor.name ?? 'a tensor';
  if (!h) throw labError('BadOption', `gptq on ${name}: needs the calibration Hessian of its inputs; none was given`);
  if (h.length !== k * k) throw labError('BadOption', `gptq on ${name}: a Hessian of ${h.length} values for an input of ${k} (expected ${k * k})`);
  const { groupSize, bits, actOrder } = options;
  const qmax = 2 ** bits - 1;
  const invLevels = inverseLevels(qmax);
  const nGroups = Math.ceil(k / groupSize);
  const dead = new Uint8Array(k);
  for (let i = 0; i < k; i++) dead[i] = h[i * k + i] === 0 ? 1 : 0;
  const order = columnOrder(h, k, actOrder);
  const u = inverseHessianFactor(h, k, order, dead, name);

  const grid: Grid = { scales: new Float32Array(n * nGroups), zeroPoints: new Uint8Array(n * nGroups) };
  const codes = new Uint8Array(tensor.data.length);
  const dequantized = new Float32Array(tensor.data.length);
  const row = new Float64Array(k); // one output row in quantization order
  const natural = new Float64Array(k);
  const err = new Float64Array(GPTQ_BLOCK);
  let loss = 0;
  for (let o = 0; o < n; o++) {
    for (let i = 0; i < k; i++) natural[i] = dead[i] ? 0 : tensor.data[o * view.strideOut + i * view.strideIn];
    if (actOrder) {
      for (let g = 0; g < nGroups; g++) {
        const [s, zp] = fitGroup(natural, g * groupSize, Math.min(k, (g + 1) * groupSize), qmax, invLevels);
        grid.scales[o * nGroups + g] = s;
        grid.zeroPoints[o * nGroups + g] = zp;
      }
    }
    for (let a = 0; a < k; a++) row[a] = natural[order[a]];
    for (let b1 = 0; b1 < k; b1 += GPTQ_BLOCK) {
      const b2 = Math.min(k, b1 + GPTQ_BLOCK);
      for (let a = b1; a < b2; a++) {
        const c = order[a]; // the input column quantized now
        const g = Math.floor(c / groupSize);
        if (!actOrder && c % groupSize === 0) {
          // without act order a = c: the group's columns are row[c .. c + groupSize), updated so far
          const [s, zp] = fitGroup(row, c, Math.min(k, c + groupSize), qmax, invLevels);
          grid.scales[o * nGroups + g] = s;
          grid.zeroPoints[o * nGroups + g] = zp;
        }
        const s = grid.scales[o * nGroups + g];
        const zp = grid.zeroPoints[o * nGroups + g];
        const w = row[a];
        const q = quantizeValue(f(w), s, zp, 0, qmax);
        const deq = dequantizeValue(q, s, zp);
        const at = o * view.strideOut + c * view.strideIn;
        codes[at] = q;
        dequantized[at] = deq;
        const d = u[a * k + a];
        const e = (w - deq) / d;
        loss += ((w - deq) * (w - deq)) / (d * d) / 2;
        err[a - b1] = e;
        for (let j = a + 1; j < b2; j++) row[j] -= e * u[a * k + j];
      }
      // the lazy batch update: every column after the block at once
      for (let a = b1; a < b2; a++) {
        const e = err[a - b1];
        if (e === 0) continue;
        const base = a * k;
        for (let j = b2; j < k; j++) row[j] -= e * u[base + j];
      }
    }
  }
  return { dequantized, codes, scales: grid.scales, zeroPoints: grid.zeroPoints, loss };
}
