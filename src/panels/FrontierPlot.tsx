/**
 * Models as labelled dots on a linear x axis from 0 against perplexity (log), with a Pareto
 * frontier drawn through the given points; labels that would cover others are listed under it.
 */
import { CartesianGrid, LabelList, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { useWidth } from '../components/CategoryTick';
import { FRONTIER, POINT } from './colors';
import { plotBox, sidesFor } from './labels';
import { useChartHeight } from './Panel';
import { PointLabel, Unlabelled } from './PointLabel';
import { linearTicks, logDomain, logTicks, niceCeil, tickText } from './scale';

export interface ModelPoint { x: number; y: number; label: string }

export const FRONTIER_LEGEND = [{ label: 'model (label: variant)', color: POINT }, { label: 'Pareto frontier', color: FRONTIER }];

const MARGIN = { top: 16, right: 110, bottom: 28, left: 16 };
const Y_AXIS_W = 64;

export function FrontierPlot({ points, frontier, xLabel, xUnit, xDigits }: {
  points: ModelPoint[];
  frontier: ModelPoint[];
  xLabel: string;
  /** the x value's unit in the tooltip and the list of unlabelled points */
  xUnit: string;
  xDigits: number;
}) {
  const height = useChartHeight();
  const [ref, width] = useWidth<HTMLDivElement>(560);
  const [lo, hi] = points.length ? logDomain(points.map((p) => p.y)) : [1, 10];
  const xMax = niceCeil(Math.max(1, ...points.map((p) => p.x)) * 1.05);
  // labels placed in the plot as drawn (its size follows the panel), clear of the frontier line
  const sides = sidesFor(points, [0, xMax], [lo, hi], plotBox(width, height, MARGIN, Y_AXIS_W), false, undefined, [frontier]);
  return (
    <div ref={ref}>
      <ResponsiveContainer width="100%" height={height}>
        <ScatterChart margin={MARGIN}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" dataKey="x" name="x" domain={[0, xMax]} ticks={linearTicks(xMax)} tickFormatter={tickText} label={{ value: xLabel, position: 'insideBottom', offset: -16 }} />
          <YAxis type="number" dataKey="y" name="perplexity" scale="log" domain={[lo, hi]} ticks={logTicks(lo, hi)} tickFormatter={tickText} allowDataOverflow width={Y_AXIS_W}
            label={{ value: 'perplexity (log)', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }} />
          <Tooltip formatter={(v: unknown, name: unknown) => [typeof v === 'number' ? v.toFixed(name === 'x' ? xDigits : 2) : String(v), name === 'x' ? xUnit : 'perplexity']} />
          <Scatter data={frontier} line={{ stroke: FRONTIER, strokeWidth: 2 }} fill={FRONTIER} shape="diamond" isAnimationActive={false} legendType="none" />
          <Scatter data={points} fill={POINT} isAnimationActive={false}>
            <LabelList dataKey="label" content={(p) => <PointLabel {...(p as object)} sides={sides} />} />
          </Scatter>
        </ScatterChart>
      </ResponsiveContainer>
      <Unlabelled points={points.filter((_, i) => !sides[i]).map((p) => `${p.label}: ${p.x.toFixed(xDigits)} ${xUnit}, perplexity ${p.y.toFixed(2)}`)} />
    </div>
  );
}
