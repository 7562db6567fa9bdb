/**
 * Reference AWQ (plain loops; the truth awq-quantize.wgsl and awq-loss.wgsl are held to; see
 * meta.ts for the method). Per α: s (f32), then every output row is quantized as
 * q = RTN(w · s) on int4-group's grid and dequantized to ŵ = (q − zp) · scale · fround(1/s); the
 * search's loss is Σ_o δ_oᵀ H δ_o (δ = w − ŵ) over all rows. Arithmetic is f32 in
 * the order the WGSL does it (1/s computed here, no division on the GPU; (Hδ)_i summed over j in
 * order, then δ_i · (Hδ)_i), and the per-(α, row, i) terms are summed in f64 in that order on
 * both paths (awqChooseAlpha), so both pick the same α and write the same codes.
 */
import { labError } from '../../errors';
import { dequantizeValue, inverseLevels, quantizeValue } from '../shared/affine';
import { fitGroup } from '../gptq/reference';
import { linearView, type LinearView } from '../layout';
import type { CompressionParts, WeightTensor } from '../types';
import { AWQ_GRID, type AwqOptions } from './meta';

const f = Math.fround;

export interface AwqParts extends CompressionParts {
  /** the α chosen, and the search's loss at it: tr(ΔW H ΔWᵀ) = Σ ‖(W − Ŵ) x‖² over the calibration tokens */
  alpha: number;
  searchLoss: number;
  /**
   * the layer's calibration loss (TensorStats.calibrationLoss): searchLoss / 2 = ½ tr(ΔW H ΔWᵀ),
   * the quantity GPTQ's Σ (w − q)² / U_aa² / 2 adds up (there on the dampened H), so the two read alike
   */
  loss: number;
}

/** The calibration loss of the chosen α (AwqParts.loss), from the search's. */
export const awqLoss = (searchLoss: number): number => searchLoss / 2;

/** Per-channel scales a^α, clamped at 1e-4 and normalized by √(max · min), as f32 (α = 0: all 1, RTN). */
export function awqScales(size: Float64Array, alpha: number): Float32Array {
  const s = size.map((a) => Math.max(a ** alpha, 1e-4));
  let mx = 0;
  let mn = Infinity;
  for (const v of s) {
    mx = Math.max(mx, v);
    mn = Math.min(mn, v);
  }
  const norm = Math.sqrt(mx * mn);
  return Float32Array.from(s, (v) => v / norm);
}

/** What both paths start from: the rows scored and, per α, s and fround(1/s) (computed once in TS). */
export interface AwqSetup {
  view: LinearView;
  /** output rows the search's loss is measured on: all of them */
  rows: number[];
  /** (AWQ_GRID, in): s per α */
  s: Float32Array;
  /** (AWQ_GRID, in): fround(1 / s) per α */
  inv: Float32Array;
  hessian: Float32Array;
}

export function awqSetup(tensor: WeightTensor): AwqSetup {
  const view = linearView(tensor.shape, tensor.layout);
  const { outDim: n, inDim: k } = view;
  const h = tensor.calibration?.hessian;
  const abs = tensor.calibration?.colAbsSums;
  const rows = tensor.calibration?.rows ?? 0;
  const name = tensor.name ?? 'a tensor';
  if (!h || !abs || !(rows > 0)) throw labError('BadOption', `awq on ${name}: needs the calibration Hessian of its inputs and their column |x| sums; none was given`);
  if (h.length !== k * k || abs.length !== k) throw labError('BadOption', `awq on ${name}: a Hessian of ${h.length} and ${abs.length} |x| sums for an input of ${k} (expected ${k * k} and ${k})`);
  // AWQ's activation size: mean |x_j| over the calibration tokens
  const meanAbs = Float64Array.from(abs, (v) => v / rows);
  const s = new Float32Array(AWQ_GRID * k);
  for (let g = 0; g < AWQ_GRID; g++) s.set(awqScales(meanAbs, g / AWQ_GRID), g * k);
  const inv = Float32Array.from(s, (v) => 1 / v);
  return { view, rows: Array.from({ length: n }, (_, o) => o), s, inv, hessian: h };
}

/**
 * Row o with the scales of α index a: ŵ into `out` at the stored offsets (and the codes and the
 * grid when asked), exactly as awq-quantize.wgsl.
 */
function quantizeRow(data: Float32Array, setup: AwqSetup, o: number, a: number, o2: AwqOptions, out: Float32Array, codes?: Uint8Array, scales?: Float32Array, zps?: Uint8Array): void {
  const { view } = setup;
  const k = view.inDim;
  const qmax = 2 ** o2.bits - 1;
  const invLevels = inverseLevels(qmax);
  const nGroups = Math.ceil(k / o2.groupSize);
  const scaled = new Float32Array(k);
  for (let i = 0; i < k; i++) scaled[i] = f(data[o * view.strideOut + i * view.strideIn] * setup.s[a * k + i]);
  for (let g = 0; g < nGroups; g++) {
    const from = g * o2.groupSize;
    const to = Math.min(k, from + o2.groupSize);
    const [sc, zp] = fitGroup(scaled, from, to, qmax, invLevels);
    if (scales) scales[o * nGroups + g] = sc;
    if (zps) zps[o * nGroups + g] = zp;
    for (let i = from; i < to; i++) {
      const q = quantizeValue(scaled[i], sc, zp, 0, qmax);
      const at = o * view.strideOut + i * view.strideIn;
      if (codes) codes[at] = q;
      out[at] = f(dequantizeValue(q, sc, zp) * setup.inv[a * k + i]);
    }
  }
}

/**
 * The search's loss per α: for every (α, row) pair in order, the terms δ_i · (Hδ)_i in f32, added
 * into losses[α] in f64 in (row, i) order (awqAddTerms, as the GPU path adds its read-back terms).
 */
function searchLosses(data: Float32Array, setup: AwqSetup, options: AwqOptions): Float64Array {
  const { view, rows, hessian: h } = setup;
  const k = view.inDim;
  const losses = new Float64Array(AWQ_GRID);
  const terms = new Float32Array(k);
  const trial = new Float32Array(data.length);
  const delta = new Float32Array(k);
  for (let a = 0; a < AWQ_GRID; a++) {
    for (const o of rows) {
      quantizeRow(data, setup, o, a, options, trial);
      for (let i = 0; i < k; i++) delta[i] = f(data[o * view.strideOut + i * view.strideIn] - trial[o * view.strideOut + i * view.strideIn]);
      for (let i = 0; i < k; i++) {
        let hd = 0;
        for (let j = 0; j < k; j++) hd = f(hd + f(h[i * k + j] * delta[j]));
        terms[i] = f(delta[i] * hd);
      }
      awqAddTerms(losses, terms, Uint32Array.of(0, a), k);
    }
  }
  return losses;
}

/** losses[α] += the terms of each (row, α) pair in `pairs` (in order), summed in f64 in i order. */
export function awqAddTerms(losses: Float64Array, terms: Float32Array, pairs: Uint32Array, k: number): void {
  for (let p = 0; p < pairs.length / 2; p++) {
    let loss = losses[pairs[2 * p + 1]];
    for (let t = p * k; t < (p + 1) * k; t++) loss += terms[t];
    losses[pairs[2 * p + 1]] = loss;
  }
}

/** The α with the least loss; the first (the smaller α; α = 0 is RTN) on ties. */
export function awqChooseAlpha(losses: Float64Array): { alpha: number; index: number; loss: number } {
  let best = { alpha: 0, index: 0, loss: Infinity };
  for (let a = 0; a < AWQ_GRID; a++) if (losses[a] < best.loss) best = { alpha: a / AWQ_GRID, index: a, loss: losses[a] };
  return best;
}

export function awqReference(tensor: WeightTensor, options: AwqOptions): AwqParts {
  const setup = awqSetup(tensor);
  const { outDim: n, inDim: k } = setup.view;
  const best = awqChooseAlpha(searchLosses(tensor.data, setup, options));
  const nGroups = Math.ceil(k / options.groupSize);
  const dequantized = new Float32Array(tensor.data.length);
  const codes = new Uint8Array(tensor.data.length);
  const scales = new Float32Array(n * nGroups);
  const zeroPoints = new Uint8Array(n * nGroups);
  for (let o = 0; o < n; o++) quantizeRow(tensor.data, setup, o, best.index, options, dequantized, codes, scales, zeroPoints);
  const inputScale = setup.s.slice(best.index * k, (best.index + 1) * k);
  return { dequantized, codes, scales, zeroPoints, inputScale, alpha: best.alpha, searchLoss: best.loss, loss: awqLoss(best.loss) };
}
