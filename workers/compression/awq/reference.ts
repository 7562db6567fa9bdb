/**
 * Reference AWQ (plain loops; see meta.ts for the method). Per α: s, then every output row is
 * quantized as q = RTN(w · s) on int4-group's grid and dequantized to (q − zp) · scale / s; the
 * search's loss Σ_o δ_oᵀ H δ_o (δ = w − ŵ) runs on the sampled rows only, in f64.
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

/** Row o quantized with per-channel scales s: codes into `codes`, ŵ into `out` (stored order), grids into scales/zps. */
function quantizeRow(data: Float32Array, view: LinearView, o: number, s: Float32Array, o2: AwqOptions, out: Float32Array, codes?: Uint8Array, scales?: Float32Array, zps?: Uint8Array): void {
  const k = view.inDim;
  const qmax = 2 ** o2.bits - 1;
  const inv = inverseLevels(qmax);
  const nGroups = Math.ceil(k / o2.groupSize);
  const scaled = new Float32Array(k);
  for (let i = 0; i < k; i++) scaled[i] = f(data[o * view.strideOut + i * view.strideIn] * s[i]);
  for (let g = 0; g < nGroups; g++) {
    const from = g * o2.groupSize;
    const to = Math.min(k, from + o2.groupSize);
    const [sc, zp] = fitGroup(scaled, from, to, qmax, inv);
    if (scales) scales[o * nGroups + g] = sc;
    if (zps) zps[o * nGroups + g] = zp;
    for (let i = from; i < to; i++) {
      const q = quantizeValue(scaled[i], sc, zp, 0, qmax);
      const at = o * view.strideOut + i * view.strideIn;
      if (codes) codes[at] = q;
      out[at] = f(dequantizeValue(q, sc, zp) / s[i]);
    }
  }
}

export function awqReference(tensor: WeightTensor, options: AwqOptions): AwqParts {
  const view = linearView(tensor.shape, tensor.layout);
  const { outDim: n, inDim: k } = view;
  const h = tensor.calibration?.hessian;
  const rows = tensor.calibration?.rows ?? 0;
  const name = tensor.name ?? 'a tensor';
  if (!h || !(rows > 0)) throw labError('BadOption', `awq on ${name}: needs the calibration Hessian of its inputs; none was given`);
  if (h.length !== k * k) throw labError('BadOption', `awq on ${name}: a Hessian of ${h.length} values for an input of ${k} (expected ${k * k})`);
  const rms = Float64Array.from({ length: k }, (_, j) => Math.sqrt(h[j * k + j] / rows));
  const step = Math.max(1, Math.ceil(n / AWQ_LOSS_ROWS));
  const trial = new Float32Array(tensor.data.length);
  const delta = new Float64Array(k);
  let best = { alpha: 0, loss: Infinity };
  for (let g = 0; g < AWQ_GRID; g++) {
    const alpha = g / AWQ_GRID;
    const s = awqScales(rms, alpha);
    let loss = 0;
    for (let o = 0; o < n; o += step) {
      quantizeRow(tensor.data, view, o, s, options, trial);
      for (let i = 0; i < k; i++) delta[i] = tensor.data[o * view.strideOut + i * view.strideIn] - trial[o * view.strideOut + i * view.strideIn];
      for (let i = 0; i < k; i++) {
        if (delta[i] === 0) continue;
        let hd = 0;
        for (let j = 0; j < k; j++) hd += h[i * k + j] * delta[j];
        loss += delta[i] * hd;
      }
    }
    if (loss < best.loss) best = { alpha, loss };
  }
  const s = awqScales(rms, best.alpha);
  const nGroups = Math.ceil(k / options.groupSize);
  const dequantized = new Float32Array(tensor.data.length);
  const codes = new Uint8Array(tensor.data.length);
  const scales = new Float32Array(n * nGroups);
  const zeroPoints = new Uint8Array(n * nGroups);
  for (let o = 0; o < n; o++) quantizeRow(tensor.data, view, o, s, options, dequantized, codes, scales, zeroPoints);
  return { dequantized, codes, scales, zeroPoints, inputScale: s, alpha: best.alpha, searchLoss: best.loss };
}
