/** A bar chart with one group per variant and one bar per backend (WebGPU, WASM side by side). */
import { Bar, BarChart, CartesianGrid, LabelList, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { BACKENDS } from '../../workers/api';
import { BACKEND_LABEL } from '../lib/plan';
import { isNum } from '../lib/format';
import type { ResultRow } from '../lib/selectors';
import type { StoredEval } from '../store/types';

export const BACKEND_COLOR = { webgpu: '#3b6fd1', wasm: '#d9822b' } as const;

export function BackendBars({ rows, value, unit, digits }: {
  rows: ResultRow[];
  value: (e: StoredEval) => number;
  unit: string;
  digits: number;
}) {
  const data = rows
    .map((r) => {
      const point: Record<string, string | number | null> = { label: r.label };
      for (const b of BACKENDS) {
        const e = r.evals[b];
        point[b] = e && isNum(value(e)) ? value(e) : null;
      }
      return point;
    })
    .filter((p) => BACKENDS.some((b) => p[b] !== null));
  if (data.length === 0) return <p className="muted">No results yet: numbers appear here as each job finishes.</p>;
  return (
    <ResponsiveContainer width="100%" height={260}>
      <BarChart data={data} margin={{ top: 20, right: 8, bottom: 8, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" interval={0} tick={{ fontSize: 12 }} />
        <YAxis tick={{ fontSize: 12 }} width={56} />
        <Tooltip formatter={(v) => (typeof v === 'number' ? `${v.toFixed(digits)} ${unit}` : '—')} />
        <Legend itemSorter={null} />
        {BACKENDS.map((b) => (
          <Bar key={b} dataKey={b} name={BACKEND_LABEL[b]} fill={BACKEND_COLOR[b]} isAnimationActive={false}>
            {/* values on the bars: a tiny bar (WebGPU on a software adapter) stays readable */}
            <LabelList dataKey={b} position="top" fontSize={11} formatter={(v: unknown) => (typeof v === 'number' ? v.toFixed(digits) : '')} />
          </Bar>
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}
