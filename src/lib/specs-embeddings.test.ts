// The embedding and LM head opt-ins (VariantSpec.embeddings, .head) as the picker and the store
// handle them: kept by normalization, named in the label (as the engine names it), part of the result
// key (so the same method with and without one are two variants), and absent when off (old stored
// specs keep their keys).
import { describe, expect, it } from 'vitest';
import { specKey } from '../store/results';
import { variantLabel } from '../../workers/variants/make-variant';
import { normalizeSpec, specLabel } from './specs';

const OPT_INS = [['embeddings', ' · embedding too'], ['head', ' · LM head too']] as const;

describe('embedding and LM head opt-ins in specs', () => {
  for (const [flag, suffix] of OPT_INS) {
    it(`${flag}: kept, labelled and keyed; off is no field at all`, () => {
      const on = normalizeSpec({ method: 'int4-group', options: {}, [flag]: true });
      const off = normalizeSpec({ method: 'int4-group', options: {}, [flag]: false });
      expect(on[flag]).toBe(true);
      expect(flag in off).toBe(false);
      expect(specLabel(on)).toBe(`${specLabel(off)}${suffix}`);
      expect(specKey({ spec: on })).not.toBe(specKey({ spec: off }));
      expect(specKey({ spec: off })).toBe(specKey({ spec: { method: 'int4-group', options: off.options } }));
    });
  }
  it('both: the page and the engine label them alike; three distinct keys', () => {
    const plain = normalizeSpec({ method: 'int4-group', options: {} });
    const both = normalizeSpec({ ...plain, head: true, embeddings: true });
    expect(specLabel(both)).toBe(`${specLabel(plain)} · LM head too · embedding too`);
    expect(variantLabel(both)).toBe(`${variantLabel(plain)} · LM head too · embedding too`);
    expect(new Set([plain, both, { ...plain, head: true }].map((spec) => specKey({ spec }))).size).toBe(3);
  });
});
