// GPTQ with an identity Hessian is round to nearest, at every bit width GPTQ offers (8, 4, 3, 2)
// and on every grid rtn has: groups of 32 / 64 / 128 or the whole row (groupSize 0), asymmetric
// (a zero point per group, the range with 0 included) and symmetric (max|w|, signed codes). With
// H = c·I the inverse-Hessian factor is diagonal, so no column's rounding error is carried to
// another and each weight is rounded alone onto its group's grid: codes, scales, zero points (none
// when symmetric, as rtn) and weights must be rtn's bit for bit, so a grid that differs fails here.
// gptq.test.ts holds the 4-bit case against int4-group; this file adds the other widths and grids,
// act order (groups are fitted on the natural columns first, so the order cannot change a code
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

const values = (a: ArrayLike<number> | undefined) => (a ? Array.from(a) : a);

for (const symmetric of [false, true]) {
  describe(`gptq with an identity Hessian equals round to nearest (${symmetric ? 'symmetric' : 'asymmetric'})`, () => {
    for (const bits of GPTQ_BITS) {
      // each shape with its group and with the whole row as one group
      it.each(SHAPES.flatMap(([l, s, g]) => [[l, s, g], [l, s, 0]] as const))(`INT${bits}: %s %j, group %i (0 = row), act order off and on`, (layout, shape, groupSize) => {
        const t = tensor(layout, shape, 17 * bits + shape[0]);
        const r = rtnReference(t, { bits, groupSize, symmetric });
        for (const actOrder of [false, true]) {
          const g = gptqReference(t, gptqMeta.resolveOptions({ bits, groupSize, symmetric, actOrder }));
          expect(values(g.codes), `codes, act order ${actOrder}`).toEqual(values(r.codes));
          expect(g.codes!.constructor, 'signed codes exactly when symmetric').toBe(r.codes!.constructor);
          expect(values(g.scales), `scales, act order ${actOrder}`).toEqual(values(r.scales));
          expect(values(g.zeroPoints), `zero points, act order ${actOrder}`).toEqual(values(r.zeroPoints));
          expect(values(g.dequantized), `weights, act order ${actOrder}`).toEqual(values(r.dequantized));
        }
      });
    }
  });
}

describe('gptq grid options', () => {
  it('takes rtn\'s symmetric and whole-row options, refuses others, and keeps asymmetric GPTQ\'s options (so its variant ids) as before', () => {
    expect(gptqMeta.resolveOptions({ bits: 4, groupSize: 0, symmetric: true })).toMatchObject({ groupSize: 0, symmetric: true });
    expect(gptqMeta.resolveOptions({ bits: 4, symmetric: false })).not.toHaveProperty('symmetric');
    expect(() => gptqMeta.resolveOptions({ symmetric: 'yes' } as never)).toThrow(/symmetric must be true or false/);
    expect(() => gptqMeta.resolveOptions({ groupSize: 48 } as never)).toThrow(/groupSize must be one of 32, 64, 128, 0/);
    expect(gptqMeta.variantLabel(gptqMeta.resolveOptions({ bits: 4, groupSize: 0, symmetric: true }))).toMatch(/^GPTQ INT4 row sym /);
  });
});
