// One loop over every method (like ggml's test-quantize-fns): deterministic data at odd sizes in
// both layouts, each method's round trip under its named bound, and the error of a matmul with
// the result. GPU == reference is held in real Chromium by e2e/kernels.spec.ts.
import { describe, expect, it } from 'vitest';
import { METHOD_IDS, type MethodId } from '../api';
import { linearView } from './layout';
import { compressTensor, METHODS } from './registry';
import { withUnitCalibration } from '../calibration/unit-stats';
import type { CompressionResult, WeightLayout, WeightTensor } from './types';

/** Relative error of x·W over a batch of inputs, per method (ratio 0.5 for pruning). */
const MATMUL_REL_ERROR: Record<MethodId, number> = {
  'magnitude-prune': 0.6, // half the weights gone: large, but bounded
  'int8-channel': 0.02,
  'int4-group': 0.25, // 16 levels spread over groups that hold 4x outliers
  fp16: 1e-3, // 11 significant bits
  wanda: 0.6, // half of each row gone (unit norms here: by |w| per row)
  gptq: 0.25, // 4-bit g128; an identity Hessian here, so round to nearest
  awq: 0.25, // 4-bit g128; equal channels here (identity Hessian), so round to nearest
  rtn: 0.25, // default INT4 g32 asymmetric: int4-group's grid
  nf4: 0.25, // 16 levels, blocks of 64 that hold 4x outliers
  'nm-prune': 0.6, // 2:4: half of each run of 4 gone
  'global-prune': 0.6, // half the weights gone (one tensor: the layer-wise cut)
  sparsegpt: 0.6, // half of each row gone (identity Hessian here: by |w| per row, nothing carried)
  'structured-prune': 1e-9, // a weight in no MLP (no plan) stays as it is; neurons: structured-prune.test.ts
};

const SHAPES: [number, number][] = [[1, 1], [3, 17], [17, 3], [5, 33], [33, 65]];

function tensor(rows: number, cols: number, layout: WeightLayout, seed: number): WeightTensor {
  const data = new Float32Array(rows * cols);
  let s = seed;
  for (let f = 0; f < data.length; f++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[f] = ((s / 2 ** 32) - 0.5) * (f % 7 === 0 ? 4 : 1); // some larger values
  }
  return { name: `t${rows}x${cols}`, data, shape: [rows, cols], layout };
}

/** Largest |w - w'| allowed for element (o, i): half a quantization step plus f32 rounding. */
function bound(id: MethodId, r: CompressionResult, t: WeightTensor, o: number, i: number): number {
  const v = linearView(t.shape, t.layout);
  const w = Math.abs(t.data[o * v.strideOut + i * v.strideIn]);
  const ulp = w * 2 ** -22;
  if (id === 'int8-channel') return r.scales![o] / 2 + ulp;
  if (id === 'int4-group' || id === 'rtn') return r.scales![o * Math.ceil(v.inDim / 32) + Math.floor(i / 32)] / 2 + ulp;
  // NF4's widest gap is 1 - 0.696 (times the block's absmax): half of it, plus rounding
  if (id === 'nf4') return r.scales![Math.floor((o * v.inDim + i) / 64)] * 0.16 + ulp;
  if (id === 'fp16') return Math.max(w * 2 ** -11, 2 ** -25); // half an ulp of half, or of its subnormals
  return Infinity; // pruning: checked by count below
}

/** ||xW - xŴ|| / ||xW|| over 4 fixed inputs x of length inDim. */
function matmulRelError(t: WeightTensor, deq: Float32Array): number {
  const v = linearView(t.shape, t.layout);
  let num = 0;
  let den = 0;
  for (let b = 0; b < 4; b++) {
    for (let o = 0; o < v.outDim; o++) {
      let y = 0;
      let yq = 0;
      for (let i = 0; i < v.inDim; i++) {
        const x = Math.sin(1 + b * 31 + i * 0.7);
        const at = o * v.strideOut + i * v.strideIn;
        y += x * t.data[at];
        yq += x * deq[at];
      }
      num += (y - yq) ** 2;
      den += y * y;
    }
  }
  return Math.sqrt(num / den);
}

describe.each(METHOD_IDS)('%s on odd sizes', (id) => {
  it.each(SHAPES.flatMap(([r, c]) => (['out_in', 'in_out'] as const).map((l) => [r, c, l] as const)))(
    '%ix%i %s: round trip and matmul within bounds',
    async (rows, cols, layout) => {
      const t = tensor(rows, cols, layout, rows * 1000 + cols);
      const r = await compressTensor(id, {}, withUnitCalibration(t, METHODS[id].meta), 'cpu');
      const v = linearView(t.shape, t.layout);
      for (let o = 0; o < v.outDim; o++) {
        for (let i = 0; i < v.inDim; i++) {
          const at = o * v.strideOut + i * v.strideIn;
          expect(Math.abs(r.dequantized[at] - t.data[at]), `${id} (${o}, ${i})`).toBeLessThanOrEqual(bound(id, r, t, o, i));
        }
      }
      if (id === 'magnitude-prune' || id === 'global-prune') {
        const pruned = r.mask!.reduce((z, m) => z + (m === 0 ? 1 : 0), 0);
        expect(pruned).toBe(Math.round(0.5 * t.data.length));
      }
      if (t.data.length > 1) expect(matmulRelError(t, r.dequantized)).toBeLessThan(MATMUL_REL_ERROR[id]);
    },
  );
});
