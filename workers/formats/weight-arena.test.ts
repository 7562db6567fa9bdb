import { describe, expect, it } from 'vitest';
import { WeightArena } from './weight-arena';

describe('weight arena', () => {
  it('keeps copies 64-byte aligned in one growing buffer; earlier views stay valid as it grows', () => {
    const arena = new WeightArena(1 << 16);
    const a = arena.keep(Float32Array.from([1, 2, 3]));
    const b = arena.keep(Uint8Array.from([7, 8, 9, 10, 11]));
    const c = arena.keep(new Uint16Array([0x3c00]));
    expect([a, b, c].map((v) => arena.offsetOf(v))).toEqual([0, 64, 128]);
    expect(arena.size).toBe(130);
    expect(Array.from(a)).toEqual([1, 2, 3]);
    expect(Array.from(b)).toEqual([7, 8, 9, 10, 11]);
    expect(arena.bytes().length).toBe(130);
    expect(arena.offsetOf(new Uint8Array(4))).toBe(-1);
  });

  it('moves every array of a form and refuses to grow past what it reserved', () => {
    const arena = new WeightArena(256);
    const form = arena.keepForm({ kind: 'nbits', weight: { bits: 4, blockSize: 32, k: 32, n: 2, blocks: 1, b: new Uint8Array(32).fill(5), scales: Float32Array.from([0.5, 2]), zeroPoints: Uint8Array.from([8, 8]) } });
    if (form.kind !== 'nbits') throw new Error('kind');
    for (const v of [form.weight.b, form.weight.scales, form.weight.zeroPoints]) expect(arena.offsetOf(v)).toBeGreaterThanOrEqual(0);
    expect(Array.from(form.weight.scales)).toEqual([0.5, 2]);
    expect(() => arena.keep(new Uint8Array(200))).toThrow(/256 reserved/);
  });
});
