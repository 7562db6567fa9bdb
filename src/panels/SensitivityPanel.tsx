/**
 * Layer sensitivity: for each transformer block, the perplexity change when that block alone is
 * compressed (VariantSpec.blocks, the "Layer sensitivity" preset), one bar per method (INT4, INT2),
 * against the baseline of the same settings group (backend, dataset, tokens, context, stride).
 */
import { Bar, BarChart, CartesianGrid, LabelList, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { VariantSpec } from '../../workers/api';
import { useResultRows } from '../lib/selectors';
import { specLabel } from '../lib/specs';
import { SERIES } from './colors';
import { Panel, useChartHeight } from './Panel';
import type { Point } from './groups';
import { useGroup } from './use-group';

export const SENSITIVITY_WHAT = 'How much worse the model predicts text (up is worse) when one block alone is stored in fewer bits and every other weight stays as it was: the change in perplexity from the baseline, block by block.';

export interface SensitivityBar {
  block: number;
  /** the method without its block, e.g. "INT4 g32 asym" */
  series: string;
  delta: number;
  ppl: number;
}

/** A variant that compresses exactly one block with one method (no second method, no overrides). */
const oneBlock = (s: VariantSpec | undefined) => (s?.blocks?.length === 1 && !s.then && !s.overrides?.length ? s.blocks[0] : undefined);

/** Δppl of every one-block variant in a settings group against that group's baseline; empty without a baseline. */
export function sensitivityBars(points: readonly Point[]): SensitivityBar[] {
  const base = points.find((p) => p.row.key === 'baseline');
  if (!base) return [];
  return points.flatMap((p) => {
    const spec = p.row.variant?.spec;
    const block = oneBlock(spec);
    if (block === undefined) return [];
    const ppl = p.eval.perplexity.ppl;
    return [{ block, series: specLabel({ ...spec!, blocks: undefined }), delta: ppl - base.eval.perplexity.ppl, ppl }];
  });
}

const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}`;
/** An axis tick: as many decimals as the value has (+8, +0.5), and 0 unsigned; the bars' labels keep two. */
const tickSigned = (v: number) => (v === 0 ? '0' : `${v > 0 ? '+' : '−'}${Number(Math.abs(v).toPrecision(6))}`);

export function SensitivityPanel() {
  const rows = useResultRows();
  const choice = useGroup(rows);
  const height = useChartHeight();
  const bars = sensitivityBars(choice.group?.points ?? []);
  const series = [...new Set(bars.map((b) => b.series))].sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
  const blocks = [...new Set(bars.map((b) => b.block))].sort((a, b) => a - b);
  const data = blocks.map((block) => ({
    block: `block ${block}`,
    ...Object.fromEntries(series.map((s) => [s, bars.find((b) => b.block === block && b.series === s)?.delta])),
  }));
  const base = choice.group?.points.find((p) => p.row.key === 'baseline');
  const color = (i: number) => SERIES[i % SERIES.length];
  return (
    <Panel
      id="sensitivity" title="Layer sensitivity" what={SENSITIVITY_WHAT} choice={choice}
      legend={series.map((s, i) => ({ label: `${s}, one block`, color: color(i) }))}
      empty={bars.length === 0 ? 'Needs the baseline and variants compressed in one block only, on the same settings: try the "Layer sensitivity" preset.' : undefined}
    >
      {base && <p className="muted small">Δ perplexity = variant − baseline ({base.eval.perplexity.ppl.toFixed(2)}); below 0: the variant scored better on these tokens.</p>}
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={data} margin={{ top: 22, right: 16, bottom: 8, left: 16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="block" tick={{ fontSize: 12 }} />
          <YAxis tick={{ fontSize: 12 }} width={64} tickFormatter={tickSigned}
            label={{ value: 'Δ perplexity', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }} />
          <ReferenceLine y={0} stroke="#333" />
          <Tooltip formatter={(v: unknown, name: unknown) => [typeof v === 'number' ? `${signed(v)} perplexity` : '—', String(name)]} />
          {series.map((s, i) => (
            <Bar key={s} dataKey={s} name={s} fill={color(i)} isAnimationActive={false}>
              <LabelList dataKey={s} content={(p) => <DeltaLabel {...(p as object)} series={s} />} />
            </Bar>
          ))}
        </BarChart>
      </ResponsiveContainer>
    </Panel>
  );
}

/** The Δ over (or under, when negative) its bar. */
function DeltaLabel(p: { x?: number | string; y?: number | string; width?: number | string; height?: number | string; value?: unknown; index?: number; series: string }) {
  const v = typeof p.value === 'number' ? p.value : undefined;
  if (v === undefined) return null;
  const x = Number(p.x) + Number(p.width) / 2;
  const top = Number(p.y);
  const h = Number(p.height);
  // recharts gives a negative bar a negative height from the zero line
  const y = v >= 0 ? Math.min(top, top + h) - 4 : Math.max(top, top + h) + 12;
  return (
    <text x={x} y={y} textAnchor="middle" fontSize={11} fill="#222" data-testid="sensitivity-label" data-series={p.series} data-index={p.index}>
      {signed(v)}
    </text>
  );
}
