// GPTQ with an identity Hessian is round to nearest, at every bit width GPTQ offers (8, 4, 3, 2):
// with H = c·I the inverse-Hessian factor is diagonal, so no column's rounding error is carried to
// another and each weight is rounded alone onto its group's grid. GPTQ's grid is asymmetric (a
// zero point per group, the range with 0 included), the rtn method's `symmetric: false`; GPTQ has
// no symmetric grid (its options refuse `symmetric`), so the symmetric RTN has no GPTQ twin.
// gptq.test.ts holds the 4-bit case against int4-group; this file adds the other widths, act
// order (groups are fitted on the natural columns first, so the order cannot change a code
// when nothing is carried) and shapes whose input is not a multiple of the group or crosses
// GPTQ's 128-column lazy batch.
import { describe, expect, it } from 'vitest';
import { rtnReference } from '../rtn/reference';
import { lcg } from '../shared/correlated-layer';
import type { WeightLayout, WeightTensor } from '../types';
import { GPTQ_BITS, gptqMeta } from './meta';
import { gptqReference } from './reference';

const SHAPES: readonly [WeightLayout, [number, number], 32 | 64 | 128][] = [
  ['out_in', [1, 1], 32],
  ['out_in', [7, 13], 32],
  ['out_in', [5, 70], 32],
  ['in_out', [70, 5], 64],
  ['in_out', [300, 3], 128],
];

function tensor(layout: WeightLayout, shape: [number, number], seed: number): WeightTensor {
  const r = lcg(seed);
  const k = layout === 'out_in' ? shape[1] : shape[0];
  const hessian = new Float32Array(k * k);
  for (let i = 0; i < k; i++) hessian[i * k + i] = 3;
  // centred weights, so groups straddle zero (a zero point inside the range), plus an all-positive row
  const data = Float32Array.from({ length: shape[0] * shape[1] }, (_, e) => (e % 11 === 0 ? Math.abs(r() - 0.5) : r() - 0.5));
  return { name: 'w', data, shape, layout, calibration: { input: 'x', rows: 1, cols: k, hessian } };
}

describe('gptq with an identity Hessian equals round to nearest (asymmetric)', () => {
  for (const bits of GPTQ_BITS) {
    it.each(SHAPES)(`INT${bits}: %s %j, group %i, act order off and on`, (layout, shape, groupSize) => {
      const t = tensor(layout, shape, 17 * bits + shape[0]);
      const r = rtnReference(t, { bits, groupSize, symmetric: false });
      for (const actOrder of [false, true]) {
        const g = gptqReference(t, gptqMeta.resolveOptions({ bits, groupSize, actOrder }));
        expect(Array.from(g.codes!), `codes, act order ${actOrder}`).toEqual(Array.from(r.codes!));
        expect(Array.from(g.scales!), `scales, act order ${actOrder}`).toEqual(Array.from(r.scales!));
        expect(Array.from(g.zeroPoints!), `zero points, act order ${actOrder}`).toEqual(Array.from(r.zeroPoints!));
        expect(Array.from(g.dequantized), `weights, act order ${actOrder}`).toEqual(Array.from(r.dequantized));
      }
    });
  }

  it('has no symmetric grid: GPTQ refuses the option', () => {
    expect(() => gptqMeta.resolveOptions({ bits: 4, symmetric: true } as never)).toThrow(/symmetric/);
  });
});
