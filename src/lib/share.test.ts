// A setup link opens the same setup; a mangled one falls back to the defaults and says so.
import { describe, expect, it } from 'vitest';
import { readSetup, setupUrl } from './share';
import { DEFAULT_SETTINGS, type RunSettings } from '../store/types';

describe('setup links', () => {
  it('round-trip the settings and keep other flags', () => {
    const s: RunSettings = { ...DEFAULT_SETTINGS, variants: [{ method: 'int4-group', options: { groupSize: 64 }, then: { method: 'fp16', options: {} } }], backends: ['wasm'], tokens: { wasm: 300, webgpu: 64 }, context: 64, stride: 32, device: 'cpu' };
    const url = setupUrl(s, 'http://localhost:5173/?nogpu=1');
    expect(new URL(url).searchParams.get('nogpu')).toBe('1');
    const back = readSetup(new URL(url).search)!;
    expect(back.dropped).toEqual([]);
    expect(back.settings).toEqual(s);
  });

  it('a broken link says so', () => {
    expect(readSetup('?x=1')).toBeUndefined();
    const r = readSetup('?setup=%%%')!;
    expect(r.broken).toBe(true);
    expect(r.settings).toEqual(DEFAULT_SETTINGS);
    expect(r.dropped[0]).toMatch(/could not be read/);
  });
});
