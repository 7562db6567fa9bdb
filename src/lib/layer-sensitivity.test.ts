// The layer-sensitivity preset: INT4 and INT2 (rtn g32) one block at a time, as many blocks as the
// loaded model has; without a model it plans nothing and says why. Each spec is its own variant.
import { describe, expect, it } from 'vitest';
import { applyPreset, presetById } from './presets';
import { specLabel } from './specs';
import { specKey } from '../store/results';

describe('layer sensitivity preset', () => {
  it('a 4-block model: INT4 and INT2 for each block', () => {
    const r = applyPreset(presetById('layer-sensitivity')!, undefined, { blocks: 4 });
    expect(r.missing).toEqual([]);
    expect(r.specs.map(specLabel)).toEqual([0, 1, 2, 3].map((b) => `INT4 g32 asym · block ${b}`).concat([0, 1, 2, 3].map((b) => `INT2 g32 asym · block ${b}`)));
    expect(r.specs.every((s) => s.method === 'rtn' && s.options.groupSize === 32 && s.blocks?.length === 1)).toBe(true);
    expect(new Set(r.specs.map((s) => specKey({ spec: s }))).size).toBe(8);
  });
  it('no model yet: nothing planned, both entries named', () => {
    const r = applyPreset(presetById('Layer sensitivity')!);
    expect(r.specs).toEqual([]);
    expect(r.missing).toHaveLength(2);
    expect(r.missing[0]).toMatch(/one block at a time \(load a model/);
  });
});
