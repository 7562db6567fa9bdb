// The embedding and LM head opt-ins (VariantSpec.embeddings, .head) as the picker and the store handle them: kept by
// normalization, named in the label, part of the result key (so the same method with and without
// the embedding are two variants), and absent when off (old stored specs keep their keys).
import { describe, expect, it } from 'vitest';
import { specKey } from '../store/results';
import { variantLabel } from '../../workers/variants/make-variant';
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

describe('LM head opt-in in specs', () => {
  it('is kept, labelled as the engine labels it and keyed; off is no field at all', () => {
    const on = normalizeSpec({ method: 'int4-group', options: {}, head: true });
    const off = normalizeSpec({ method: 'int4-group', options: {}, head: false });
    expect(on.head).toBe(true);
    expect('head' in off).toBe(false);
    expect(specLabel(on)).toBe(`${specLabel(off)} · LM head too`);
    const both = normalizeSpec({ method: 'int4-group', options: {}, head: true, embeddings: true });
    expect(specLabel(both)).toBe(`${specLabel(off)} · LM head too · embedding too`);
    expect(variantLabel(both)).toBe(`${variantLabel(off)} · LM head too · embedding too`);
    expect(new Set([on, off, both].map((spec) => specKey({ spec }))).size).toBe(3);
  });
});
