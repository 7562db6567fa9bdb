/**
 * A labelled grid of coloured cells, drawn as plain SVG (so PNG/SVG export and the report get it
 * as drawn): each cell shows its number and names it in a tooltip; an empty cell says it was not
 * measured. The colour scale runs from `low` to `high` of the shown values and is labelled.
 */
import { inkOn, viridis } from './colors';

export interface Cell {
  value?: number;
  text?: string;
  title?: string;
}

export function Heatmap({ rows, cols, cell, rowTitle, colTitle, scaleText, t }: {
  rows: string[];
  cols: string[];
  cell: (row: string, col: string) => Cell;
  rowTitle: string;
  colTitle: string;
  /** what the colours mean, e.g. "perplexity: dark = low, yellow = high (log)" */
  scaleText: string;
  /** value → [0, 1] for the colour */
  t: (v: number) => number;
  /** unused for now: the grid's rows set its height, and it scales with the panel's width */
  height?: number;
}) {
  // drawn at the dashboard's pixel size (text 12 px there); present mode scales it up
  const width = 640;
  const labelW = Math.min(180, 14 + 7 * Math.max(...rows.map((r) => r.length)));
  const cw = (width - labelW - 10) / Math.max(cols.length, 1);
  const longest = Math.max(...cols.map((c) => c.length));
  const rotate = longest * 7 > cw - 4;
  const colLabelH = rotate ? Math.min(130, 22 + 5 * longest) : 40;
  const ch = rows.length > 12 ? 22 : 30;
  const fullH = colLabelH + ch * rows.length + 46;
  const font = Math.max(10, Math.min(14, ch * 0.45, cw / 6));
  return (
    <svg data-heatmap viewBox={`0 0 ${width} ${fullH}`} width="100%" role="img" aria-label={`${rowTitle} by ${colTitle}`}>
      <text x={4} y={14} fontSize={12} fill="#333">{`${rowTitle} ↓ · ${colTitle} →`}</text>
      {cols.map((c, j) => (
        <text key={c} transform={`translate(${labelW + cw * (j + 0.5)}, ${colLabelH - 6}) rotate(${rotate ? -40 : 0})`} fontSize={12} textAnchor={rotate ? 'start' : 'middle'} fill="#222">{c}</text>
      ))}
      {rows.map((r, i) => (
        <g key={r}>
          <text x={labelW - 6} y={colLabelH + ch * (i + 0.5) + 4} fontSize={12} textAnchor="end" fill="#222">{r}</text>
          {cols.map((c, j) => {
            const v = cell(r, c);
            const has = v.value !== undefined && Number.isFinite(v.value);
            const bg = has ? viridis(t(v.value!)) : '#f1f2f5';
            return (
              <g key={c} data-testid="heat-cell" data-row={r} data-col={c} data-value={has ? v.value : ''}>
                <rect x={labelW + cw * j + 1} y={colLabelH + ch * i + 1} width={cw - 2} height={ch - 2} fill={bg} rx={2}>
                  <title>{v.title ?? (has ? `${r} · ${c}: ${v.text}` : `${r} · ${c}: not measured`)}</title>
                </rect>
                <text x={labelW + cw * (j + 0.5)} y={colLabelH + ch * (i + 0.5) + font * 0.35} fontSize={font} textAnchor="middle" fill={has ? inkOn(bg) : '#8a90a0'} pointerEvents="none">
                  {has ? v.text : '—'}
                </text>
              </g>
            );
          })}
        </g>
      ))}
      <defs>
        <linearGradient id="heat-scale">
          {[0, 0.25, 0.5, 0.75, 1].map((s) => <stop key={s} offset={s} stopColor={viridis(s)} />)}
        </linearGradient>
      </defs>
      <rect x={4} y={fullH - 30} width={120} height={12} fill="url(#heat-scale)" />
      <text x={132} y={fullH - 20} fontSize={12} fill="#333">{scaleText}</text>
    </svg>
  );
}
