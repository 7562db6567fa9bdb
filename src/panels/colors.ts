/**
 * Colours that stay apart on a projector and for colour-blind viewers: Okabe-Ito for series
 * (yellow left out, it vanishes on white), viridis for heatmaps, with cell text in black or white
 * by the cell's luminance.
 */
export const SERIES = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'] as const;
/** More lines than SERIES has colours (e.g. 8 one-block variants): Okabe-Ito, then Paul Tol's muted colours. */
export const MANY_SERIES = [...SERIES, '#882255', '#44AA99', '#999933', '#332288', '#AA4499', '#88CCEE'] as const;
export const FRONTIER = '#D55E00';
export const POINT = '#0072B2';

const VIRIDIS = ['#440154', '#46327e', '#365c8d', '#277f8e', '#1fa187', '#4ac16d', '#a0da39', '#fde725'];

const hex = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));

/** t in [0, 1] → a viridis colour (dark purple → yellow). */
export function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const [a, b] = [hex(VIRIDIS[i]), hex(VIRIDIS[i + 1])];
  const f = x - i;
  return `#${a.map((v, k) => Math.round(v + (b[k] - v) * f).toString(16).padStart(2, '0')).join('')}`;
}

/** Black on light cells, white on dark ones. */
export function inkOn(bg: string): string {
  const [r, g, b] = hex(bg).map((v) => v / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 ? '#000' : '#fff';
}
