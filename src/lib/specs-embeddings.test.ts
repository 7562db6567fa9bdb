// The embedding opt-in (VariantSpec.embeddings) as the picker and the store handle it: kept by
// normalization, named in the label, part of the result key (so the same method with and without
// the embedding are two variants), and absent when off (old stored specs keep their keys).
import { describe, expect, it } from 'vitest';
import { specKey } from '../store/results';
import { normalizeSpec, specLabel } from './specs';

describe('embedding opt-in in specs', () => {
  it('is kept, labelled and keyed; off is no field at all', () => {
    const on = normalizeSpec({ method: 'int4-group', options: {}, embeddings: true });
    const off = normalizeSpec({ method: 'int4-group', options: {}, embeddings: false });
    expect(on.embeddings).toBe(true);
    expect('embeddings' in off).toBe(false);
    expect(specLabel(on)).toBe(`${specLabel(off)} · embedding too`);
    expect(specKey({ spec: on })).not.toBe(specKey({ spec: off }));
    expect(specKey({ spec: off })).toBe(specKey({ spec: { method: 'int4-group', options: off.options } }));
  });
});
