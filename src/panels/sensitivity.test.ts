// Layer sensitivity bars: Δppl of each one-block variant against the baseline of the same settings
// group; variants of several blocks, combined or mixed-precision ones are not bars; no baseline, no bars.
import { describe, expect, it } from 'vitest';
import type { VariantSpec } from '../../workers/api';
import type { Point } from './groups';
import { sensitivityBars } from './SensitivityPanel';

const point = (key: string, ppl: number, spec?: VariantSpec): Point =>
  ({ row: { key, label: key, evals: {}, speeds: {}, ...(spec ? { variant: { spec } } : {}) }, eval: { perplexity: { ppl } } }) as unknown as Point;
const rtn = (bits: number, blocks?: number[]): VariantSpec => ({ method: 'rtn', options: { bits, groupSize: 32, symmetric: false }, ...(blocks ? { blocks } : {}) });

describe('sensitivityBars', () => {
  it('one bar per one-block variant, Δ against the baseline', () => {
    const bars = sensitivityBars([
      point('baseline', 150),
      point('a', 150.5, rtn(4, [0])),
      point('b', 153.25, rtn(2, [0])),
      point('c', 149.75, rtn(4, [1])),
      point('d', 160, rtn(4)),
      point('e', 170, rtn(2, [0, 1])),
    ]);
    expect(bars).toEqual([
      { block: 0, series: 'INT4 g32 asym', delta: 0.5, ppl: 150.5 },
      { block: 0, series: 'INT2 g32 asym', delta: 3.25, ppl: 153.25 },
      { block: 1, series: 'INT4 g32 asym', delta: -0.25, ppl: 149.75 },
    ]);
  });
  it('no baseline on these settings: nothing to subtract from', () => {
    expect(sensitivityBars([point('a', 150.5, rtn(4, [0]))])).toEqual([]);
  });
});
