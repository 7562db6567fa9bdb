/**
 * A bar chart with one group per variant and one bar per backend (WebGPU, WASM side by side).
 * A value may carry its spread (e.g. p10–p90 of timed runs), drawn as an error bar and named in
 * the tooltip, so two bars that differ by less than their spread are seen to.
 */
import { Bar, BarChart, CartesianGrid, ErrorBar, LabelList, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { BACKENDS, type Backend } from '../../workers/api';
import { BACKEND_LABEL } from '../lib/plan';
import { isNum } from '../lib/format';
import type { ResultRow } from '../lib/selectors';

export const BACKEND_COLOR = { webgpu: '#3b6fd1', wasm: '#d9822b' } as const;

export interface BarValue {
  value: number;
  /** absolute low and high of the spread around value */
  spread?: [number, number];
}

type Point = Record<string, string | number | null | [number, number]>;

export function BackendBars({ rows, value, unit, digits }: {
  rows: ResultRow[];
  value: (r: ResultRow, b: Backend) => BarValue | undefined;
  unit: string;
  digits: number;
}) {
  const data = rows
    .map((r) => {
      const point: Point = { label: r.label };
      for (const b of BACKENDS) {
        const v = value(r, b);
        const ok = v && isNum(v.value);
        point[b] = ok ? v.value : null;
        // recharts' ErrorBar takes the distances below and above the value
        point[`${b}Err`] = ok && v.spread ? [v.value - v.spread[0], v.spread[1] - v.value] : null;
        point[`${b}Range`] = ok && v.spread ? `${v.spread[0].toFixed(digits)}–${v.spread[1].toFixed(digits)}` : null;
      }
      return point;
    })
    .filter((p) => BACKENDS.some((b) => p[b] !== null));
  if (data.length === 0) return <p className="muted">No results yet: numbers appear here as each job finishes.</p>;
  const spread = data.some((p) => BACKENDS.some((b) => p[`${b}Err`] !== null));
  return (
    <ResponsiveContainer width="100%" height={260}>
      <BarChart data={data} margin={{ top: 20, right: 8, bottom: 8, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" interval={0} tick={{ fontSize: 12 }} />
        <YAxis tick={{ fontSize: 12 }} width={56} />
        <Tooltip
          formatter={(v, _name, item) => {
            if (typeof v !== 'number') return '—';
            const range = (item?.payload as Point | undefined)?.[`${String(item?.dataKey)}Range`];
            return `${v.toFixed(digits)} ${unit}${typeof range === 'string' ? ` (p10–p90 ${range})` : ''}`;
          }}
        />
        <Legend itemSorter={null} />
        {BACKENDS.map((b) => (
          <Bar key={b} dataKey={b} name={BACKEND_LABEL[b]} fill={BACKEND_COLOR[b]} isAnimationActive={false}>
            {spread && <ErrorBar dataKey={`${b}Err`} width={6} strokeWidth={1.5} stroke="#333" direction="y" />}
            {/* values on the bars: a tiny bar (WebGPU on a software adapter) stays readable */}
            <LabelList dataKey={b} position="top" fontSize={11} formatter={(v: unknown) => (typeof v === 'number' ? v.toFixed(digits) : '')} />
          </Bar>
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}
