/**
 * Decode tokens/s as horizontal bars, one per model × backend, each labelled with what it is
 * (model, backend, packed or simulated, threads or adapter, runs) and its value (median run, with
 * the slowest and fastest timed runs as a whisker). Drawn as plain SVG rather than a recharts
 * chart so every label is part of the picture: the panel's PNG/SVG export places this SVG beside
 * the prefill chart (data-export-beside, see export-chart.ts).
 */
import type { DecodeBar } from '../lib/scaling';

const W = 520;
const ROW = 46;
const TOP = 36;
const LEFT = 8;
const RIGHT = 175;

export function DecodeBars({ bars, color, caption }: { bars: DecodeBar[]; color: (b: DecodeBar) => string; caption: [string, string] }) {
  if (!bars.length) return null;
  const max = Math.max(...bars.map((b) => b.hi), 1e-9);
  const span = W - LEFT - RIGHT;
  const x = (v: number) => LEFT + (v / max) * span;
  const height = TOP + bars.length * ROW + 8;
  return (
    <svg data-export-beside data-testid="decode-bars" viewBox={`0 0 ${W} ${height}`} width="100%" role="img" aria-label={caption.join(' ')} style={{ maxWidth: W * 1.4 }}>
      {caption.map((line, i) => <text key={line} x={LEFT} y={13 + i * 14} fontSize={12} fill="#333">{line}</text>)}
      {bars.map((b, i) => {
        const y = TOP + i * ROW;
        return (
          <g key={b.id} data-testid="decode-bar" data-backend={b.backend} data-variant={b.variantId} data-toks={b.tokS}>
            <text x={LEFT} y={y + 12} fontSize={11} fill="#222">{b.label}</text>
            <rect x={LEFT} y={y + 17} width={Math.max(1, x(b.tokS) - LEFT)} height={16} fill={color(b)} />
            {/* whisker: slowest to fastest timed run */}
            <line x1={x(b.lo)} x2={x(b.hi)} y1={y + 25} y2={y + 25} stroke="#333" strokeWidth={1.5} />
            <line x1={x(b.lo)} x2={x(b.lo)} y1={y + 20} y2={y + 30} stroke="#333" strokeWidth={1.5} />
            <line x1={x(b.hi)} x2={x(b.hi)} y1={y + 20} y2={y + 30} stroke="#333" strokeWidth={1.5} />
            <text x={x(b.hi) + 6} y={y + 30} fontSize={11} fill="#222" data-testid="decode-bar-value">{b.value}</text>
          </g>
        );
      })}
    </svg>
  );
}
