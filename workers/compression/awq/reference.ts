/**
 * Reference AWQ (plain loops; the truth awq-quantize.wgsl and awq-loss.wgsl are held to; see
 * meta.ts for the method). Per α: s (f32), then each sampled output row is quantized as
 * q = RTN(w · s) on int4-group's grid and dequantized to ŵ = (q − zp) · scale · fround(1/s); the
 * search's loss Σ_o δ_oᵀ H δ_o (δ = w − ŵ) runs on the sampled rows only. Arithmetic is f32 in
 * the order the WGSL does it (1/s computed here, no division on the GPU; (Hδ)_i summed over j in
 * order, then δ_i · (Hδ)_i), and the per-(α, row, i) terms are summed in f64 in that order on
 * both paths (awqChooseAlpha), so both pick the same α and write the same codes.
 */
import { labError } from '../../errors';
import { dequantizeValue, inverseLevels, quantizeValue } from '../shared/affine';
import { fitGroup } from '../gptq/reference';
import { linearView, type LinearView } from '../layout';
import type { CompressionParts, WeightTensor } from '../types';
import { AWQ_GRID, AWQ_LOSS_ROWS, type AwqOptions } from './meta';

const f = Math.fround;

export interface AwqParts extends CompressionParts {
  /** the α chosen, and the search's loss at it (sampled rows; not GPTQ's loss, so not `loss`) */
  alpha: number;
  searchLoss: number;
}

/** Per-channel scales a^α, clamped at 1e-4 and normalized by √(max · min), as f32. */
export function awqScales(rms: Float64Array, alpha: number): Float32Array {
  const s = rms.map((a) => Math.max(a ** alpha, 1e-4));
  let mx = 0;
  let mn = Infinity;
  for (const v of s) {
    mx = Math.max(mx, v);
    mn = Math.min(mn, v);
  }
  const norm = Math.sqrt(mx * mn);
  return Float32Array.from(s, (v) => v / norm);
}

/** What both paths start from: the sampled rows and, per α, s and fround(1/s) (computed once in TS). */
export interface AwqSetup {
  view: LinearView;
  /** output rows the search's loss is measured on */
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
  const rows = tensor.calibration?.rows ?? 0;
  const name = tensor.name ?? 'a tensor';
  if (!h || !(rows > 0)) throw labError('BadOption', `awq on ${name}: needs the calibration Hessian of its inputs; none was given`);
  if (h.length !== k * k) throw labError('BadOption', `awq on ${name}: a Hessian of ${h.length} values for an input of ${k} (expected ${k * k})`);
  const rms = Float64Array.from({ length: k }, (_, j) => Math.sqrt(h[j * k + j] / rows));
  const step = Math.max(1, Math.ceil(n / AWQ_LOSS_ROWS));
  const s = new Float32Array(AWQ_GRID * k);
  for (let g = 0; g < AWQ_GRID; g++) s.set(awqScales(rms, g / AWQ_GRID), g * k);
  const inv = Float32Array.from(s, (v) => 1 / v);
  return { view, rows: Array.from({ length: Math.ceil(n / step) }, (_, r) => r * step), s, inv, hessian: h };
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

/** The search's terms δ_i · (Hδ)_i in f32, for pair p = (α index, sampled row) at terms[p · in + i]. */
function searchTerms(data: Float32Array, setup: AwqSetup, options: AwqOptions): Float32Array {
  const { view, rows, hessian: h } = setup;
  const k = view.inDim;
  const terms = new Float32Array(AWQ_GRID * rows.length * k);
  const trial = new Float32Array(data.length);
  const delta = new Float32Array(k);
  for (let a = 0; a < AWQ_GRID; a++) {
    rows.forEach((o, r) => {
      quantizeRow(data, setup, o, a, options, trial);
      for (let i = 0; i < k; i++) delta[i] = f(data[o * view.strideOut + i * view.strideIn] - trial[o * view.strideOut + i * view.strideIn]);
      const base = (a * rows.length + r) * k;
      for (let i = 0; i < k; i++) {
        let hd = 0;
        for (let j = 0; j < k; j++) hd = f(hd + f(h[i * k + j] * delta[j]));
        terms[base + i] = f(delta[i] * hd);
      }
    });
  }
  return terms;
}

/** The α with the least loss, the terms summed in f64 in (α, row, i) order; the first on ties. */
export function awqChooseAlpha(terms: Float32Array, rows: number, k: number): { alpha: number; index: number; loss: number } {
  let best = { alpha: 0, index: 0, loss: Infinity };
  for (let a = 0; a < AWQ_GRID; a++) {
    let loss = 0;
    for (let t = a * rows * k; t < (a + 1) * rows * k; t++) loss += terms[t];
    if (loss < best.loss) best = { alpha: a / AWQ_GRID, index: a, loss };
  }
  return best;
}

export function awqReference(tensor: WeightTensor, options: AwqOptions): AwqParts {
  const setup = awqSetup(tensor);
  const { outDim: n, inDim: k } = setup.view;
  const best = awqChooseAlpha(searchTerms(tensor.data, setup, options), setup.rows.length, k);
  const nGroups = Math.ceil(k / options.groupSize);
  const dequantized = new Float32Array(tensor.data.length);
  const codes = new Uint8Array(tensor.data.length);
  const scales = new Float32Array(n * nGroups);
  const zeroPoints = new Uint8Array(n * nGroups);
  for (let o = 0; o < n; o++) quantizeRow(tensor.data, setup, o, best.index, options, dequantized, codes, scales, zeroPoints);
  const inputScale = setup.s.slice(best.index * k, (best.index + 1) * k);
  return { dequantized, codes, scales, zeroPoints, inputScale, alpha: best.alpha, searchLoss: best.loss };
}
