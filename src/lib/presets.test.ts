// Presets are built from the methods registered at runtime: an entry with no registered method is
// left out and named, and every spec a preset plans is one its method accepts.
import { describe, expect, it } from 'vitest';
import { applyPreset, PRESETS, presetById } from './presets';
import { REGISTERED, specLabel } from './specs';

describe('presets', () => {
  it('the seed grid is the study\'s nine variants (prune then quantize included), the LM head compressed too', () => {
    const r = applyPreset(presetById('seed-grid')!);
    expect(r.specs.map(specLabel)).toEqual([
      'prune 10%', 'prune 50%', 'prune 90%', 'INT8 per-channel', 'INT4 group-32',
      'prune 10% → INT4 group-32', 'prune 50% → INT4 group-32', 'prune 10% → INT8 per-channel', 'prune 50% → INT8 per-channel',
    ].map((l) => `${l} · LM head too`));
    expect(r.missing).toEqual([]);
  });

  it('the seed study\'s presets take the LM head and say so; the others leave it f32 (the lab\'s default)', () => {
    for (const p of PRESETS) {
      const specs = applyPreset(p).specs;
      expect(specs.every((s) => !!s.head === !!p.head), p.name).toBe(true);
      if (p.head) expect(p.about, p.name).toMatch(/LM head/);
    }
    expect(PRESETS.filter((p) => p.head).map((p) => p.id)).toEqual(['seed-grid', 'bit-width', 'pruning-curve']);
  });

  it('mixed precision: INT4 with the first and last block INT8, beside INT4 and INT8 everywhere', () => {
    const r = applyPreset(presetById('mixed-precision')!);
    expect(r.missing).toEqual([]);
    expect(r.specs.map(specLabel)).toEqual(['INT4 group-32', 'INT8 per-channel', 'INT4 group-32, blocks 0 and last INT8 per-channel']);
    expect(r.specs[2].overrides).toEqual([{ blocks: [-1, 0], method: 'int8-channel', options: {} }]);
  });

  it('sparsity patterns remove half of the MLP neurons and half of the attention heads as two structured variants', () => {
    const r = applyPreset(presetById('sparsity-patterns')!);
    expect(r.missing).toEqual([]);
    const structured = r.specs.filter((s) => s.method === 'structured-prune');
    expect(structured.map((s) => s.options)).toEqual([{ ratio: 0.5 }, { ratio: 0.5, unit: 'heads' }]);
    expect(structured.map(specLabel)).toEqual(['structured 50 % MLP neurons', 'structured 50 % attention heads']);
  });

  it('the pruning curve goes 10 … 90 % by 10', () => {
    const r = applyPreset(presetById('Pruning curve')!);
    expect(r.specs.map((s) => s.options.ratio)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
  });

  it('leaves out what is not registered, by name', () => {
    const only = REGISTERED.filter((m) => m.id === 'fp16' || m.id === 'int8-channel');
    const r = applyPreset(presetById('bit-width')!, only);
    expect(r.specs.map((s) => s.method)).toEqual(['fp16', 'int8-channel']);
    expect(r.missing).toEqual(['INT4 group-32', 'INT3 round-to-nearest', 'INT2 round-to-nearest', 'NF4']);
    const none = applyPreset(presetById('seed-grid')!, []);
    expect(none.specs).toEqual([]);
    expect(none.missing).toHaveLength(9);
  });

  it('every preset plans only specs its methods accept, each once', () => {
    for (const p of PRESETS) {
      const r = applyPreset(p);
      // without a model, a per-block entry is one missing line
      expect(r.specs.length + r.missing.length, p.name).toBeLessThanOrEqual(p.wants.length + (p.perBlock?.length ?? 0));
      for (const s of r.specs) expect(() => REGISTERED.find((m) => m.id === s.method)!.resolveOptions(s.options)).not.toThrow();
    }
  });
});
