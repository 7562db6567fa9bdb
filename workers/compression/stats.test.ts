import { describe, expect, it } from 'vitest';
import { errorSums, tensorStats } from './stats';
import { compressTensor } from './registry';
import { rtnReference } from './rtn/reference';
import type { RtnOptions } from './rtn/meta';
import { dequantizeAffine } from './shared/affine';
import { linearView } from './layout';
import { dequantizedLength, dequantizedPending, withLazyDequantized } from './types';

describe('tensorStats', () => {
  it('computes sparsity, relative Frobenius error and SQNR by hand', () => {
    const s = tensorStats('w', new Float32Array([3, 4, 0, 0]), new Float32Array([3, 0, 0, 0]), 8);
    expect(s).toMatchObject({ name: 'w', params: 4, sparsity: 0.75, bitsPerWeight: 8 });
    expect(s.relFrobeniusError).toBeCloseTo(4 / 5, 12);
    expect(s.sqnrDb).toBeCloseTo(10 * Math.log10(25 / 16), 12);
    expect(s.maxAbsError).toBe(4);
  });

  it('max abs error is the worst single weight, whatever its sign', () => {
    const s = tensorStats('w', new Float32Array([1, -2, 0.5]), new Float32Array([1.25, -1.5, 0.5]), 4);
    expect(s.maxAbsError).toBe(0.5);
  });

  it('reports Infinity SQNR and zero error when nothing changed', () => {
    const s = tensorStats('w', new Float32Array([1, -2]), new Float32Array([1, -2]), 32);
    expect(s.sqnrDb).toBe(Infinity);
    expect(s.relFrobeniusError).toBe(0);
    expect(s.sparsity).toBe(0);
    expect(s.maxAbsError).toBe(0);
  });
});

describe('stats taken while quantizing (shared/affine.ts quantizeAffine) = the one-pass formula', () => {
  const cases = [
    { method: 'int4-group', options: { groupSize: 32 }, shapes: [[1, 1], [7, 13], [33, 97], [64, 48]] },
    { method: 'int4-group', options: { groupSize: 16 }, shapes: [[13, 7]] },
    { method: 'int8-channel', options: {}, shapes: [[1, 1], [7, 13], [97, 33]] },
    { method: 'rtn', options: { bits: 3, groupSize: 32, symmetric: false }, shapes: [[33, 40]] },
    { method: 'rtn', options: { bits: 2, groupSize: 0, symmetric: true }, shapes: [[13, 7]] },
  ] as const;
  for (const c of cases) {
    for (const shape of c.shapes) {
      for (const layout of ['out_in', 'in_out'] as const) {
        it(`${c.method} ${JSON.stringify(c.options)} ${shape.join('x')} ${layout}: every stat equal, bit for bit`, async () => {
          let seed = shape[0] * 1000 + shape[1];
          const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
          // zeros, -0, outliers and an all-zero first row: sparsity and the max both move
          const data = Float32Array.from({ length: shape[0] * shape[1] }, (_, f) => (f < shape[1] ? 0 : rand() < 0.05 ? -0 : rand() < 0.02 ? (rand() - 0.5) * 40 : rand() - 0.5));
          const r = await compressTensor(c.method, c.options, { name: 'w', data, shape: shape as [number, number], layout }, 'cpu');
          expect(r.sums, 'the reference took its sums').toBeDefined();
          expect(r.sums).toEqual(errorSums(data, r.dequantized));
          expect(r.stats).toEqual(tensorStats('w', data, r.dequantized, r.stats.bitsPerWeight));
        });
      }
    }
  }

  it('dequantizeAffine remakes the reference\'s floats from its codes, bit for bit (what the WGSL paths hand out)', () => {
    for (const layout of ['out_in', 'in_out'] as const) {
      const grids: RtnOptions[] = [{ bits: 4, groupSize: 32, symmetric: false }, { bits: 8, groupSize: 0, symmetric: true }];
      for (const options of grids) {
        const symmetric = options.symmetric;
        const data = Float32Array.from({ length: 48 * 20 }, (_, f) => Math.sin(f * 1.7) * (f % 11 === 0 ? 9 : 1));
        const shape: [number, number] = [48, 20];
        const r = rtnReference({ data, shape, layout }, options);
        const view = linearView(shape, layout);
        const groupSize = options.groupSize || view.inDim;
        const grid = { scales: r.scales!, zeroPoints: symmetric ? new Uint8Array(r.scales!.length) : r.zeroPoints!, groupSize, nGroups: r.scales!.length / view.outDim };
        const again = dequantizeAffine(r.codes as Int8Array | Uint8Array, view, grid);
        expect(new Uint32Array(again.buffer)).toEqual(new Uint32Array(r.dequantized.buffer));
      }
    }
  });

  it('a lazy dequantized is made once, on first read, and is kept by a spread and by Object.assign', () => {
    let made = 0;
    const parts = withLazyDequantized({ scales: new Float32Array(1) }, 3, () => (made++, new Float32Array([1, 2, 3])));
    expect(dequantizedPending(parts)).toBe(true);
    expect(dequantizedLength(parts)).toBe(3);
    Object.assign(parts, { kernelMs: 1 });
    expect(made).toBe(0);
    expect(Array.from({ ...parts }.dequantized)).toEqual([1, 2, 3]);
    expect(parts.dequantized).toBe(parts.dequantized);
    expect(made).toBe(1);
    expect(dequantizedPending(parts)).toBe(false);
  });
});
