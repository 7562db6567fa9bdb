/**
 * Point labels that do not sit on each other: each label tries right, left, above, below of its
 * point (in an approximate pixel space of the plot) and takes the first place free of the labels
 * and points already placed; a label with no free place is left off the plot and listed under it.
 */
export type Side = 'right' | 'left' | 'top' | 'bottom';

export interface Placed {
  side?: Side;
}

interface Box { x0: number; x1: number; y0: number; y1: number }

const overlap = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** px, py: the points in pixels (y down); texts: their labels; returns a side per point or undefined. */
export function placeLabels(px: number[], py: number[], texts: string[], charW = 7, lineH = 14, plotW = 520, order: Side[] = ['right', 'left', 'top', 'bottom']): (Side | undefined)[] {
  const taken: Box[] = px.map((x, i) => ({ x0: x - 5, x1: x + 5, y0: py[i] - 5, y1: py[i] + 5 }));
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
      if (box.x0 < 0 || box.x1 > plotW) continue;
      if (taken.some((b, k) => k !== i && overlap(b, box))) continue;
      taken.push(box);
      return side;
    }
    return undefined;
  });
}

/** Sides for points in data space: x linear or log, y log, mapped onto an approximate plot of w × h pixels. */
export function sidesFor(points: { x: number; y: number; label: string }[], xDomain: [number, number], yDomain: [number, number], xLog = false, order?: Side[], w = 440, h = 220): (Side | undefined)[] {
  const f = (v: number, [a, b]: [number, number], log: boolean) => (log ? (Math.log(v) - Math.log(a)) / (Math.log(b) - Math.log(a)) : (v - a) / (b - a || 1));
  return placeLabels(points.map((p) => f(p.x, xDomain, xLog) * w), points.map((p) => (1 - f(p.y, yDomain, true)) * h), points.map((p) => p.label), 7, 14, w + 60, order);
}
