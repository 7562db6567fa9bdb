/**
 * X-axis labels of a bar chart that stay readable however many bars there are: a label that fits
 * its bar's width is written as it is; one that fits on two lines is wrapped; otherwise every label
 * is shortened (group-32 → g32, per-channel → ch, the default "asym" left out, …, then cut with "…")
 * and drawn at an angle.
 * The full label stays in the tick's <title> (hover) and in the chart's tooltip.
 */
import { useEffect, useRef, useState } from 'react';

/** px per character of the 12 px axis font (average; digits and lower case). */
const CHAR_PX = 6.8;
/** The longest an angled label may be, in characters. */
const ANGLED_CHARS = 26;
const ANGLE = -35;

export type TickMode = 'flat' | 'wrap' | 'angled';

/** Shorter spellings of the method names, tried before a label is cut. */
export function shortLabel(label: string, max = ANGLED_CHARS): string {
  const s = label
    .replace(/group-(\d+)/g, 'g$1')
    .replace(/\bper-channel\b/g, 'ch')
    .replace(/ asym\b/g, '')
    .replace(/ round-to-nearest/g, ' RTN')
    .replace(/\s*\(simulated f32\)/g, ' (sim)')
    .replace(/ %/g, '%')
    .replace(/\s+/g, ' ');
  return s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`;
}

/** Two lines of at most `n` characters, split at a space when there is one. */
export function wrapTwo(label: string, n: number): [string, string] | undefined {
  if (label.length > 2 * n) return undefined;
  for (let i = Math.min(n, label.length - 1); i > 0; i--) {
    if (label[i] === ' ' && label.length - i - 1 <= n) return [label.slice(0, i), label.slice(i + 1)];
  }
  return undefined;
}

/** How the labels are drawn for `count` bars in `width` px. */
export function tickMode(labels: readonly string[], width: number): TickMode {
  const per = (width - 80) / Math.max(1, labels.length);
  const fits = (n: number) => n * CHAR_PX <= per - 6;
  if (labels.every((l) => fits(l.length))) return 'flat';
  if (labels.every((l) => wrapTwo(l, Math.floor((per - 6) / CHAR_PX)))) return 'wrap';
  return 'angled';
}

/** The axis height each mode needs. */
export const tickHeight = (mode: TickMode): number => (mode === 'flat' ? 24 : mode === 'wrap' ? 40 : Math.ceil(ANGLED_CHARS * CHAR_PX * Math.sin((-ANGLE * Math.PI) / 180)) + 20);

/** Width of an element, followed as it resizes (for charts inside a ResponsiveContainer). */
export function useWidth<T extends HTMLElement>(initial = 1000): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(initial);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(([e]) => setWidth(e.contentRect.width));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

/** A recharts XAxis tick drawn in `mode`. */
export function CategoryTick(props: { x?: number | string; y?: number | string; payload?: { value?: unknown }; mode: TickMode; per: number }) {
  const full = String(props.payload?.value ?? '');
  const x = Number(props.x);
  const y = Number(props.y);
  if (props.mode === 'angled') {
    return (
      <g transform={`translate(${x},${y + 4})`} data-testid="x-tick">
        <title>{full}</title>
        <text transform={`rotate(${ANGLE})`} textAnchor="end" fontSize={12} fill="#333" dy={4}>{shortLabel(full)}</text>
      </g>
    );
  }
  const lines = props.mode === 'wrap' ? wrapTwo(full, Math.floor((props.per - 6) / CHAR_PX)) ?? [full] : [full];
  return (
    <g transform={`translate(${x},${y + 4})`} data-testid="x-tick">
      <title>{full}</title>
      <text textAnchor="middle" fontSize={12} fill="#333">
        {lines.map((l, i) => <tspan key={i} x={0} dy={i === 0 ? 10 : 14}>{l}</tspan>)}
      </text>
    </g>
  );
}
