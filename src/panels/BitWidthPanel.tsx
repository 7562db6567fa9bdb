/**
 * Bit-width curve: perplexity against the measured bits per weight of each quantized variant
 * (scales and zero points included), the baseline at 32. Quantizers only: pruned and combined
 * variants are in the other panels.
 */
import { CartesianGrid, LabelList, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { formText, useResultRows } from '../lib/selectors';
import { POINT } from './colors';
import { Panel, useChartHeight } from './Panel';
import { logDomain, logTicks, tickText } from './scale';
import { pruneQuantOf } from './shapes';
import { plotBox, sidesFor } from './labels';
import { useWidth } from '../components/CategoryTick';
import { PointLabel, Unlabelled } from './PointLabel';
import { useGroup } from './use-group';
import type { Point } from './groups';

export const BITWIDTH_WHAT = 'How much worse the model predicts text (up is worse) as each weight gets fewer bits, from 32 (the baseline) down; bits include the stored scales.';

const BIT_TICKS = [2, 3, 4, 6, 8, 16, 32];
const MARGIN = { top: 24, right: 40, bottom: 28, left: 16 };

/** The baseline at 32 bits and each quantizer's variant at its measured bits, by bits. */
export function bitWidthPoints(group: Point[]): { x: number; y: number; label: string }[] {
  return group.flatMap((p) => {
    const v = p.row.variant;
    if (!v) return [{ x: 32, y: p.eval.perplexity.ppl, label: 'FP32 (baseline)' }];
    const pq = pruneQuantOf(v.spec);
    if (!pq?.quant || pq.prune || !(v.bitsPerWeight > 0)) return [];
    // 3-bit is stored f32 (no onnxruntime-web op runs it), and an EP may refuse a packed model: such a point is marked
    return [{ x: v.bitsPerWeight, y: p.eval.perplexity.ppl, label: `${p.row.label}${formText(p.eval) === 'simulated (f32)' ? ' (simulated f32)' : ''}` }];
  }).sort((a, b) => a.x - b.x);
}

export function BitWidthPanel() {
  const rows = useResultRows();
  const choice = useGroup(rows);
  const height = useChartHeight();
  const [ref, width] = useWidth<HTMLDivElement>(560);
  const points = bitWidthPoints(choice.group?.points ?? []);
  const [lo, hi] = points.length ? logDomain(points.map((p) => p.y)) : [1, 10];
  const xMin = Math.min(2, ...points.map((p) => p.x));
  // labels placed in the plot as drawn, clear of the curve through the points
  const sides = sidesFor(points, [xMin / 1.1, 40], [lo, hi], plotBox(width, height, MARGIN, 64), true, ['top', 'bottom', 'left', 'right'], [points]);
  const unlabelled = points.filter((_, i) => !sides[i]);
  return (
    <Panel
      id="bit-width" title="Bit-width curve" what={BITWIDTH_WHAT} choice={choice}
      legend={[{ label: 'model (label: variant)', color: POINT }]}
      empty={points.length < 2 ? 'Needs the baseline and at least one quantized variant on these settings: try the "Bit-width sweep" preset.' : undefined}
    >
      <div ref={ref}>
      <ResponsiveContainer width="100%" height={height}>
        <ScatterChart margin={MARGIN}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" dataKey="x" scale="log" domain={[xMin / 1.1, 40]} ticks={BIT_TICKS.filter((t) => t >= xMin / 1.1)} allowDataOverflow
            label={{ value: 'bits per weight (log; scales and zero points included)', position: 'insideBottom', offset: -16 }} />
          <YAxis type="number" dataKey="y" scale="log" domain={[lo, hi]} ticks={logTicks(lo, hi)} tickFormatter={tickText} allowDataOverflow width={64}
            label={{ value: 'perplexity (log)', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }} />
          <Tooltip formatter={(v: unknown, name: unknown) => [typeof v === 'number' ? v.toFixed(2) : String(v), name === 'x' ? 'bits/weight' : 'perplexity']} />
          <Scatter data={points} fill={POINT} line={{ stroke: POINT, strokeWidth: 1.5, strokeDasharray: '4 3' }} isAnimationActive={false}>
            <LabelList dataKey="label" content={(p) => <PointLabel {...(p as object)} sides={sides} />} />
          </Scatter>
        </ScatterChart>
      </ResponsiveContainer>
      </div>
      <Unlabelled points={unlabelled.map((p) => `${p.label}: ${p.x.toFixed(2)} bits, perplexity ${p.y.toFixed(2)}`)} />
    </Panel>
  );
}
