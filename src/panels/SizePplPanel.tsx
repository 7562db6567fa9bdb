/**
 * Size vs perplexity: every result of one settings group at its packed model size (bytes as
 * written; the baseline's source file), with the Pareto frontier through the ones no other result
 * beats on both. Pruned variants are stored dense, so pruning alone does not move them left.
 */
import { CartesianGrid, LabelList, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { formText, useResultRows } from '../lib/selectors';
import { useLab } from '../store';
import { FRONTIER, POINT } from './colors';
import { Panel, useChartHeight } from './Panel';
import { logDomain, logTicks, niceCeil, tickText } from './scale';
import { paretoFrontier } from './shapes';
import { sidesFor } from './labels';
import { PointLabel, Unlabelled } from './PointLabel';
import { useGroup } from './use-group';

const MIB = 1 << 20;

export const SIZE_PPL_WHAT = 'Each dot is one model: how many bytes it takes to store (left is smaller) and how well it predicts the text (lower is better); the line joins the models nothing else beats on both.';

export function SizePplPanel() {
  const rows = useResultRows();
  const model = useLab((s) => s.model);
  const choice = useGroup(rows);
  const height = useChartHeight();
  const points = (choice.group?.points ?? []).flatMap((p) => {
    const bytes = p.row.variant ? (p.row.variant.format ? p.row.variant.packedBytes : undefined) : model?.onnxBytes;
    if (!bytes) return [];
    // a format no op runs is written as f32 and evaluated so: its size is the f32 file's
    const sim = formText(p.eval) === 'simulated (f32)' || (p.row.variant?.storage as string | undefined) === 'simulated';
    return [{ x: bytes / MIB, y: p.eval.perplexity.ppl, label: sim ? `${p.row.label} (simulated)` : p.row.label }];
  });
  const frontier = paretoFrontier(points);
  const [lo, hi] = points.length ? logDomain(points.map((p) => p.y)) : [1, 10];
  const xMax = niceCeil(Math.max(1, ...points.map((p) => p.x)) * 1.05);
  const sides = sidesFor(points, [0, xMax], [lo, hi]);
  const unlabelled = points.filter((_, i) => !sides[i]);
  return (
    <Panel
      id="size-ppl" title="Size vs perplexity" what={SIZE_PPL_WHAT} choice={choice}
      legend={[{ label: 'model (label: variant)', color: POINT }, { label: 'Pareto frontier', color: FRONTIER }]}
      empty={points.length === 0 ? 'No results yet: dots appear as evaluations finish.' : undefined}
    >
      <ResponsiveContainer width="100%" height={height}>
        <ScatterChart margin={{ top: 16, right: 110, bottom: 28, left: 16 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" dataKey="x" name="size" domain={[0, xMax]} tickFormatter={(v: number) => String(Number(v.toPrecision(3)))}
            label={{ value: 'stored size, MiB (packed model as written)', position: 'insideBottom', offset: -16 }} />
          <YAxis type="number" dataKey="y" name="perplexity" scale="log" domain={[lo, hi]} ticks={logTicks(lo, hi)} tickFormatter={tickText} allowDataOverflow width={64}
            label={{ value: 'perplexity (log)', angle: -90, position: 'insideLeft', offset: 0, style: { textAnchor: 'middle' } }} />
          <Tooltip formatter={(v: unknown, name: unknown) => [typeof v === 'number' ? v.toFixed(name === 'size' ? 2 : 2) : String(v), name === 'size' ? 'MiB' : 'perplexity']} />
          <Scatter data={frontier} line={{ stroke: FRONTIER, strokeWidth: 2 }} fill={FRONTIER} shape="diamond" isAnimationActive={false} legendType="none" />
          <Scatter data={points} fill={POINT} isAnimationActive={false}>
            <LabelList dataKey="label" content={(p) => <PointLabel {...(p as object)} sides={sides} />} />
          </Scatter>
        </ScatterChart>
      </ResponsiveContainer>
      <Unlabelled points={unlabelled.map((p) => `${p.label}: ${p.x.toFixed(2)} MiB, perplexity ${p.y.toFixed(2)}`)} />
    </Panel>
  );
}
