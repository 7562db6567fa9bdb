/** Axis helpers: perplexities span decades (90 % pruning), so their axis is logarithmic with readable ticks. */

/** Ticks 1, 2, 5 × 10^k covering [min, max]; at least the two ends. */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > 0)) return [];
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** k;
      if (v >= min && v <= max) out.push(v);
    }
  }
  if (out.length >= 3) return out;
  // a narrow range (all within a factor of ~2): five steps, evenly spaced on the log axis
  return [0, 1, 2, 3, 4].map((i) => Number((min * (max / min) ** (i / 4)).toPrecision(3)));
}

/** A log domain with a little room at both ends. */
export const logDomain = (values: number[]): [number, number] => {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return [lo / 1.3, hi * 1.3];
};

export const tickText = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(v % 1000 === 0 ? 0 : 1)}k` : String(Number(v.toPrecision(3))));

/** The next round number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k) at or above v, for a linear axis end. */
export function niceCeil(v: number): number {
  const k = 10 ** Math.floor(Math.log10(v));
  return [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * k).find((n) => n >= v) ?? v;
}
