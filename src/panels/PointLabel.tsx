/** A recharts label that draws its text on the side placeLabels chose (nothing when it found none). */
import type { Side } from './labels';

type Box = { x?: number; y?: number; width?: number; height?: number };

export function PointLabel(props: { x?: number | string; y?: number | string; viewBox?: Box; value?: unknown; index?: number; sides: (Side | undefined)[] }) {
  const side = props.sides[props.index ?? -1];
  const vb = props.viewBox;
  // a scatter label's view box is the symbol's box: its centre is the point
  const x = vb?.x !== undefined ? vb.x + (vb.width ?? 0) / 2 : Number(props.x);
  const y = vb?.y !== undefined ? vb.y + (vb.height ?? 0) / 2 : Number(props.y);
  if (!side || !Number.isFinite(x) || !Number.isFinite(y)) return null;
  const at = {
    right: { x: x + 8, y: y + 4, anchor: 'start' as const },
    left: { x: x - 8, y: y + 4, anchor: 'end' as const },
    top: { x, y: y - 9, anchor: 'middle' as const },
    bottom: { x, y: y + 19, anchor: 'middle' as const },
  }[side];
  // a white halo under the letters: a label stays readable where it meets a grid line or a line
  return <text className="point-label" x={at.x} y={at.y} textAnchor={at.anchor} fontSize={12} fill="#222" stroke="#fff" strokeWidth={3} strokeLinejoin="round" paintOrder="stroke">{String(props.value ?? '')}</text>;
}

/** The points whose labels would have covered others, named under the plot. */
export function Unlabelled({ points }: { points: string[] }) {
  if (points.length === 0) return null;
  return <p className="muted small unlabelled" data-testid="panel-unlabelled">Not labelled on the plot (too close to another point): {points.join('; ')}.</p>;
}
