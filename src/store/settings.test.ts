// Settings from an older version (method flags) or a pasted link become valid settings that plan
// the same variants; what cannot be kept is named.
import { describe, expect, it } from 'vitest';
import { planJobs } from '../lib/plan';
import { migrateSettings } from './settings';
import { DEFAULT_SETTINGS } from './types';

describe('migrateSettings', () => {
  it('turns the old flags into the variants they planned', () => {
    const old = { prune: true, pruneRatios: [0.9, 0.1], int8: true, int4: true, int4GroupSize: 64, fp16: false, device: 'cpu', backends: ['wasm'], tokens: { wasm: 1024, webgpu: 256 }, throughputRuns: 2 };
    const { settings, dropped } = migrateSettings(old);
    expect(dropped).toEqual([]);
    expect(settings.variants).toEqual([
      { method: 'magnitude-prune', options: { ratio: 0.1 } },
      { method: 'magnitude-prune', options: { ratio: 0.9 } },
      { method: 'int8-channel', options: {} },
      { method: 'int4-group', options: { groupSize: 64 } },
    ]);
    expect(settings.device).toBe('cpu');
    expect(settings.speed).toEqual(DEFAULT_SETTINGS.speed);
    expect(planJobs(settings).filter((j) => j.kind === 'variant').map((j) => j.label.split(' · ')[0]))
      .toEqual(['prune 10%', 'prune 90%', 'INT8 per-channel', 'INT4 group-64']);
  });

  it('keeps a valid new setup as it is, and drops unknown methods with a reason', () => {
    expect(migrateSettings(DEFAULT_SETTINGS).settings).toEqual({ ...DEFAULT_SETTINGS, context: undefined, stride: undefined });
    const { settings, dropped } = migrateSettings({ variants: [{ method: 'nope', options: {} }, { method: 'int4-group', options: { groupSize: 7 } }, { method: 'fp16', options: {} }] });
    expect(settings.variants).toEqual([{ method: 'fp16', options: {} }]);
    expect(dropped).toHaveLength(2);
    expect(dropped[0]).toMatch(/unknown method "nope"/);
    expect(migrateSettings(null).settings.variants).toEqual([]);
  });
});
