import { describe, expect, it } from 'vitest';
import { relabelStoredForms } from './stored-forms';

const variants = [
  { id: 'int3', storage: 'simulated' as const, format: 'INT3 g32 codes as f32' },
  { id: 'int4', storage: 'packed' as const, format: 'MatMulNBits 4-bit, block 32' },
];

describe('relabelStoredForms', () => {
  it('marks an old packed result of a variant stored as f32 simulated, and leaves the rest', () => {
    const old = [
      { variantId: 'int3', form: 'packed' as const, ppl: 1 },
      { variantId: 'int4', form: 'packed' as const, ppl: 2 },
      { variantId: 'baseline', form: 'packed' as const, ppl: 3 },
      { variantId: 'int3', form: 'simulated' as const, formReason: 'asked', ppl: 4 },
    ];
    const out = relabelStoredForms(old, variants);
    expect(out[0]).toEqual({ variantId: 'int3', form: 'simulated', formReason: 'stored as INT3 g32 codes as f32', ppl: 1 });
    expect(out.slice(1)).toEqual(old.slice(1));
  });
});
