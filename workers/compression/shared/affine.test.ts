// The shared rounding rule: half away from zero, decided by exact f32 boundaries.
import { describe, expect, it } from 'vitest';
import { MIN_SCALE, quantizeValue, roundDiv, scaleOf } from './affine';

/** The definition, checked directly: fround((n - 0.5) s) <= a < fround((n + 0.5) s). */
function onBoundaries(a: number, s: number, n: number): boolean {
  const f = Math.fround;
  return (n === 0 || f((n - 0.5) * s) <= a) && a < f((n + 0.5) * s);
}

describe('roundDiv', () => {
  it('rounds halves away from zero and caps', () => {
    expect([0, 0.49, 0.5, 1.5, 2.5, 126.5].map((a) => roundDiv(a, 1, 127))).toEqual([0, 0, 1, 2, 3, 127]);
    expect(roundDiv(500, 1, 127)).toBe(127);
    expect(roundDiv(1e30, MIN_SCALE, 15)).toBe(15);
  });

  it('meets its boundary definition for many f32 inputs', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let t = 0; t < 20000; t++) {
      const s = scaleOf(Math.fround(rand() * 10), Math.fround(1 / 127));
      const n0 = Math.floor(rand() * 127);
      const a = Math.fround((n0 + (rand() < 0.5 ? 0.5 : rand())) * s); // many near-halves
      const n = roundDiv(a, s, 1000);
      expect(onBoundaries(a, s, n), `a=${a} s=${s} n=${n}`).toBe(true);
    }
  });

  it('quantizeValue guessing by 1 / s gives the code the division gives (near-halves, tiny and huge scales)', () => {
    let seed = 777;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const scales = [MIN_SCALE, 2 ** -60, 1e-3, 0.1, 1, 7.3, 1e20].map(Math.fround);
    for (let t = 0; t < 20000; t++) {
      const s = t < 7 * 200 ? scales[t % 7] : scaleOf(Math.fround(rand() * 10), Math.fround(1 / 15));
      const n0 = Math.floor(rand() * 20);
      const w = Math.fround((rand() < 0.5 ? -1 : 1) * (n0 + (rand() < 0.5 ? 0.5 : rand())) * s);
      expect(quantizeValue(w, s, 8, 0, 15, 1 / s), `w=${w} s=${s}`).toBe(quantizeValue(w, s, 8, 0, 15));
      expect(quantizeValue(w, s, 0, -127, 127, 1 / s), `w=${w} s=${s}`).toBe(quantizeValue(w, s, 0, -127, 127));
    }
    expect(quantizeValue(3e38, MIN_SCALE, 0, -127, 127, 1 / MIN_SCALE)).toBe(127);
  });

  it('quantizeValue is symmetric around the zero point', () => {
    expect(quantizeValue(-2.5, 1, 8, 0, 15)).toBe(5);
    expect(quantizeValue(2.5, 1, 8, 0, 15)).toBe(11);
    expect(quantizeValue(-100, 1, 0, -127, 127)).toBe(-100);
    expect(quantizeValue(-200, 1, 0, -127, 127)).toBe(-127);
  });
});
