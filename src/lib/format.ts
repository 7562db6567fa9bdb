/** Number formatting: every unknown becomes "—" and says why in its title (see <Num>). */

export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function fixed(v: number | undefined, digits = 2): string | undefined {
  return isNum(v) ? v.toFixed(digits) : undefined;
}

export function compact(v: number | undefined): string | undefined {
  if (!isNum(v)) return undefined;
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(2)} B`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(1)} k`;
  return String(v);
}

export function bytes(v: number | undefined): string | undefined {
  if (!isNum(v)) return undefined;
  if (v >= 1 << 30) return `${(v / (1 << 30)).toFixed(2)} GiB`;
  if (v >= 1 << 20) return `${(v / (1 << 20)).toFixed(2)} MiB`;
  if (v >= 1 << 10) return `${(v / (1 << 10)).toFixed(1)} KiB`;
  return `${v} B`;
}

export const percent = (v: number | undefined, digits = 1) => (isNum(v) ? `${(v * 100).toFixed(digits)} %` : undefined);

export function duration(s: number | undefined): string | undefined {
  if (!isNum(s)) return undefined;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** "1 run", "3 runs" */
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
