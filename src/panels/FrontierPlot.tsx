/**
 * Models as labelled dots on a linear x axis from 0 against perplexity (log), with a Pareto
 * frontier drawn through the given points; labels that would cover others are listed under it.
 */
import { CartesianGrid, LabelList, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { FRONTIER, POINT } from './colors';
import { sidesFor } from './labels';
import { useChartHeight } from './Panel';
import { PointLabel, Unlabelled } from './PointLabel';
import { logDomain, logTicks, niceCeil, tickText } from './scale';

export interface ModelPoint { x: number; y: number; label: string }

export const FRONTIER_LEGEND = [{ label: 'model (label: variant)', color: POINT }, { label: 'Pareto frontier', color: FRONTIER }];

export function FrontierPlot({ points, frontier, xLabel, xUnit, xDigits }: {
  points: ModelPoint[];
  frontier: ModelPoint[];
  xLabel: string;
  /** the x value's unit in the tooltip and the list of unlabelled points */
  xUnit: string;
  xDigits: number;
}) {
  const height = useChartHeight();
  const [lo, hi] = points.length ? logDomain(points.map((p) => p.y)) : [1, 10];
  const xMax = niceCeil(Math.max(1, ...points.map((p) => p.x)) * 1.05);
  const sides = sidesFor(points, [0, xMax], [lo, hi]);
  return (
    <>
      <ResponsiveContainer width="100%" height={height}>
        <ScatterChart margin={{ top: 16, right: 110, bottom: 28, left: 16 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" dataKey="x" name="x" domain={[0, xMax]} tickFormatter={tickText} label={{ value: xLabel, position: 'insideBottom', offset: -16 }} />
          <YAxis type="number" dataKey="y" name="perplexity" scale="log" domain={[lo, hi]} ticks={logTicks(lo, hi)} tickFormatter={tickText} allowDataOverflow width={64}
            label={{ value: 'perplexity (log)', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }} />
          <Tooltip formatter={(v: unknown, name: unknown) => [typeof v === 'number' ? v.toFixed(name === 'x' ? xDigits : 2) : String(v), name === 'x' ? xUnit : 'perplexity']} />
          <Scatter data={frontier} line={{ stroke: FRONTIER, strokeWidth: 2 }} fill={FRONTIER} shape="diamond" isAnimationActive={false} legendType="none" />
          <Scatter data={points} fill={POINT} isAnimationActive={false}>
            <LabelList dataKey="label" content={(p) => <PointLabel {...(p as object)} sides={sides} />} />
          </Scatter>
        </ScatterChart>
      </ResponsiveContainer>
      <Unlabelled points={points.filter((_, i) => !sides[i]).map((p) => `${p.label}: ${p.x.toFixed(xDigits)} ${xUnit}, perplexity ${p.y.toFixed(2)}`)} />
    </>
  );
}
