/** Axis helpers: perplexities span decades (90 % pruning), so their axis is logarithmic with readable ticks. */

/** Round numbers m × 10^k (m from `mantissas`) within [min, max]. */
function roundIn(min: number, max: number, mantissas: number[]): number[] {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++) {
    for (const m of mantissas) {
      const v = Number((m * 10 ** k).toPrecision(12));
      if (v >= min && v <= max) out.push(v);
    }
  }
  return out;
}

/** Ticks 1, 2, 5 × 10^k covering [min, max]; in a narrow range denser round numbers; at least three. */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > 0)) return [];
  const wide = roundIn(min, max, [1, 2, 5]);
  if (wide.length >= 3) return wide;
  // a narrow range (all within a factor of ~2-4): round numbers still, e.g. 200 300 400 500 700
  // rather than evenly spaced ones such as 242 346 493 that nobody reads off
  for (const ms of [[1, 1.5, 2, 3, 5, 7], [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9], [1, 1.2, 1.4, 1.6, 1.8, 2, 2.5, 3, 3.5, 4, 5, 6, 7, 8, 9]]) {
    const t = roundIn(min, max, ms);
    if (t.length >= 3) return t;
  }
  return [0, 1, 2, 3, 4].map((i) => Number((min * (max / min) ** (i / 4)).toPrecision(3)));
}

/** A log domain with a little room at both ends. */
export const logDomain = (values: number[]): [number, number] => {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return [lo / 1.3, hi * 1.3];
};

// 2250 is "2.25k", not "2.3k": a tick's text must be its value
export const tickText = (v: number) => (v >= 1000 ? `${Number((v / 1000).toPrecision(3))}k` : String(Number(v.toPrecision(3))));

/** Ticks 0, s, 2s, … up to max with a round step s (1, 2, 2.5 or 5 × 10^k) giving about `count` intervals. */
export function linearTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const k = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * k).find((s) => s >= raw)!;
  return Array.from({ length: Math.floor(max / step + 1e-9) + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

/** The next round number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k) at or above v, for a linear axis end. */
export function niceCeil(v: number): number {
  const k = 10 ** Math.floor(Math.log10(v));
  return [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * k).find((n) => n >= v) ?? v;
}
