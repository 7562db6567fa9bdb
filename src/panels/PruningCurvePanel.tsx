/**
 * Pruning curve: perplexity against the share of weights removed, one line per pruning method
 * (any method with a ratio option, alone), the baseline as 0 %. One settings group at a time.
 */
import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { useResultRows } from '../lib/selectors';
import { metaOf } from '../lib/specs';
import { SERIES } from './colors';
import { Panel, useChartHeight } from './Panel';
import { logDomain, logTicks, tickText } from './scale';
import { pruneQuantOf } from './shapes';
import { useGroup } from './use-group';

export const PRUNING_WHAT = 'How much worse the model predicts text (up is worse) as more of its weights are set to zero, from none (the baseline) to 90 %.';

export function PruningCurvePanel() {
  const rows = useResultRows();
  const choice = useGroup(rows);
  const height = useChartHeight();
  const pts = choice.group?.points ?? [];
  const base = pts.find((p) => p.row.key === 'baseline');
  const lines = new Map<string, { x: number; y: number }[]>();
  for (const p of pts) {
    const v = p.row.variant;
    if (!v || v.spec.then) continue;
    const pq = pruneQuantOf(v.spec);
    if (!pq?.prune || pq.quant) continue;
    const list = lines.get(pq.prune) ?? [];
    list.push({ x: pq.ratio * 100, y: p.eval.perplexity.ppl });
    lines.set(pq.prune, list);
  }
  const series = [...lines.entries()].map(([method, list], i) => ({
    method, label: metaOf(method)?.label ?? method, color: SERIES[i % SERIES.length],
    data: [...(base ? [{ x: 0, y: base.eval.perplexity.ppl }] : []), ...list].sort((a, b) => a.x - b.x),
  }));
  const all = series.flatMap((s) => s.data.map((d) => d.y));
  const [lo, hi] = all.length ? logDomain(all) : [1, 10];
  return (
    <Panel
      id="pruning-curve" title="Pruning curve" what={PRUNING_WHAT} choice={choice}
      legend={series.map((s) => ({ label: s.label, color: s.color }))}
      empty={series.length === 0 ? 'No pruned variants on these settings yet: try the "Pruning curve" preset.' : undefined}
    >
      <ResponsiveContainer width="100%" height={height}>
        <ScatterChart margin={{ top: 16, right: 24, bottom: 28, left: 16 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" dataKey="x" domain={[0, 100]} ticks={[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]} unit=" %"
            label={{ value: 'weights set to zero (sparsity)', position: 'insideBottom', offset: -16 }} />
          <YAxis type="number" dataKey="y" scale="log" domain={[lo, hi]} ticks={logTicks(lo, hi)} tickFormatter={tickText} allowDataOverflow width={64}
            label={{ value: 'perplexity (log)', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }} />
          <Tooltip formatter={(v: unknown, name: unknown) => [typeof v === 'number' ? v.toFixed(2) : String(v), name === 'x' ? 'sparsity %' : 'perplexity']} />
          {series.map((s) => (
            <Scatter key={s.method} name={s.label} data={s.data} fill={s.color} line={{ stroke: s.color, strokeWidth: 2 }} isAnimationActive={false} />
          ))}
        </ScatterChart>
      </ResponsiveContainer>
    </Panel>
  );
}
