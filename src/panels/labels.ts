/**
 * Point labels that do not sit on each other: each label tries right, left, above, below of its
 * point (in the plot's pixel space) and takes the first place free of the labels, points and drawn
 * lines already there and inside the plot (plus the room the chart leaves on its right); a label
 * with no free place is left off the plot and listed under it.
 */
export type Side = 'right' | 'left' | 'top' | 'bottom';

export interface Placed {
  side?: Side;
}

interface Box { x0: number; x1: number; y0: number; y1: number }

const overlap = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** The plot area in pixels (y down), how far a label may run past its right edge (the chart's right margin), and a label's letter width and line height. */
export interface PlotBox { w: number; h: number; rightRoom: number; charW: number; lineH: number }

/**
 * The plot of a chart `width` × `height` px with these margins and axis sizes (recharts' layout).
 * Present mode draws taller charts with 17 px labels (styles.css) instead of 12 px: wider letters.
 */
export function plotBox(width: number, height: number, m: { top: number; right: number; bottom: number; left: number }, yAxisW: number, xAxisH = 30): PlotBox {
  const present = height > 300;
  return { w: Math.max(40, width - m.left - m.right - yAxisW), h: Math.max(40, height - m.top - m.bottom - xAxisH), rightRoom: m.right - 4, charW: present ? 10 : 7, lineH: present ? 20 : 14 };
}

/**
 * px, py: the points in pixels (y down); texts: their labels; lines: polylines drawn on the plot
 * (a frontier, a curve) that a label must not cross. Returns a side per point or undefined.
 */
export function placeLabels(px: number[], py: number[], texts: string[], plot: PlotBox, order: Side[] = ['right', 'left', 'top', 'bottom'], lines: { x: number; y: number }[][] = []): (Side | undefined)[] {
  const { charW, lineH } = plot;
  const dot = (x: number, y: number, r: number): Box => ({ x0: x - r, x1: x + r, y0: y - r, y1: y + r });
  const taken: Box[] = px.map((x, i) => dot(x, py[i], 5));
  // a line is kept clear by small boxes every 4 px along it
  for (const line of lines) {
    for (let k = 1; k < line.length; k++) {
      const [a, b] = [line[k - 1], line[k]];
      const steps = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / 4));
      for (let s = 0; s <= steps; s++) taken.push(dot(a.x + ((b.x - a.x) * s) / steps, a.y + ((b.y - a.y) * s) / steps, 1.5));
    }
  }
  const points = px.length;
  return texts.map((t, i) => {
    const w = t.length * charW;
    const x = px[i];
    const y = py[i];
    const options: [Side, Box][] = [
      ['right', { x0: x + 7, x1: x + 7 + w, y0: y - lineH / 2, y1: y + lineH / 2 }],
      ['left', { x0: x - 7 - w, x1: x - 7, y0: y - lineH / 2, y1: y + lineH / 2 }],
      ['top', { x0: x - w / 2, x1: x + w / 2, y0: y - 8 - lineH, y1: y - 8 }],
      ['bottom', { x0: x - w / 2, x1: x + w / 2, y0: y + 8, y1: y + 8 + lineH }],
    ];
    for (const [side, box] of options.sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]))) {
      // inside the plot: not over the y axis' ticks, the x axis or past the chart's right edge
      if (box.x0 < 0 || box.x1 > plot.w + plot.rightRoom || box.y0 < -6 || box.y1 > plot.h - 2) continue;
      if (taken.some((b, k) => (k >= points || k !== i) && overlap(b, box))) continue;
      taken.push(box);
      return side;
    }
    return undefined;
  });
}

type Domain = [number, number];

/** Sides for points in data space: x linear or log, y log, on a plot of `plot` pixels; `lines` in data space too. */
export function sidesFor(points: { x: number; y: number; label: string }[], xDomain: Domain, yDomain: Domain, plot: PlotBox, xLog = false, order?: Side[], lines: { x: number; y: number }[][] = []): (Side | undefined)[] {
  const f = (v: number, [a, b]: Domain, log: boolean) => (log ? (Math.log(v) - Math.log(a)) / (Math.log(b) - Math.log(a)) : (v - a) / (b - a || 1));
  const px = (p: { x: number }) => f(p.x, xDomain, xLog) * plot.w;
  const py = (p: { y: number }) => (1 - f(p.y, yDomain, true)) * plot.h;
  return placeLabels(points.map(px), points.map(py), points.map((p) => p.label), plot, order, lines.map((l) => l.map((p) => ({ x: px(p), y: py(p) }))));
}
