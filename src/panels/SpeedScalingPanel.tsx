/**
 * Speed: prefill tokens/s as the batch grows (one line per backend × model) and, beside it, decode
 * tokens/s (one labelled bar per model × backend, DecodeBars.tsx; both go into the PNG), from the
 * Speed action (LabApi.prefillSpeed / decodeSpeed), then every figure in a table with its median,
 * p90, runs, session-create and first-run times, WASM threads or WebGPU adapter. Only figures
 * measured with identical settings share a chart: prefill and decode each have their settings
 * groups, one drawn at a time, the rest counted.
 */
import { useMemo, useState } from 'react';
import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { bytes, plural } from '../lib/format';
import { batchSeries, decodeBars, decodeGroups, isSoftwareAdapter, placesOf, prefillGroups, scalingWhere, type FigureGroup } from '../lib/scaling';
import { useLab } from '../store';
import type { StoredScaling } from '../store/scaling';
import { modelKeyOf } from '../store/types';
import { SpeedControls } from '../components/SpeedControls';
import { MANY_SERIES, SERIES } from './colors';
import { DecodeBars } from './DecodeBars';
import { Panel, useChartHeight } from './Panel';

export const SPEED_SCALING_WHAT = 'How many tokens per second each model reads when it is given 1, 4, 8 or 16 texts at once (prefill), and how many it writes one after another (decode); higher is faster.';

const BACKEND_COLOR = { wasm: SERIES[0], webgpu: SERIES[1] } as const;
const ms = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : x < 10 ? x.toFixed(2) : x.toFixed(0));

function GroupPick<T>({ what, groups, group, choose, testId }: { what: string; groups: FigureGroup<T>[]; group?: FigureGroup<T>; choose: (k: string) => void; testId: string }) {
  if (groups.length < 2) return null;
  return (
    <label className="small">
      {what} measured on{' '}
      <select value={group?.key} onChange={(e) => choose(e.target.value)} data-testid={testId}>
        {groups.map((g) => <option key={g.key} value={g.key}>{g.label} ({g.figures.length})</option>)}
      </select>
    </label>
  );
}

function FigureRow({ f }: { f: StoredScaling }) {
  const p90TokS = f.kind === 'prefill' ? (f.settings.batch * f.settings.seqLen) / (f.p90Ms / 1000) : 1000 / f.p90Ms;
  return (
    <tr data-testid="scaling-row" data-kind={f.kind} data-backend={f.settings.backend} data-variant={f.variantLabel} data-batch={f.kind === 'prefill' ? f.settings.batch : undefined}>
      <td>{f.variantLabel}{f.storage ? ` (${f.storage})` : ''}</td>
      <td>{f.kind === 'prefill' ? `prefill, batch ${f.settings.batch} × ${f.settings.seqLen}` : `decode ${f.settings.newTokens} after ${f.settings.promptTokens}${f.decode.startsWith('KV') ? ', KV cache' : ', no KV cache'}${f.graph ? ` (${f.graph})` : ''}`}</td>
      <td data-testid="scaling-toks">{f.tokensPerS.toFixed(f.tokensPerS < 100 ? 1 : 0)}</td>
      <td>{p90TokS.toFixed(p90TokS < 100 ? 1 : 0)}</td>
      <td>{ms(f.medianMs)}</td>
      <td>{ms(f.p90Ms)}</td>
      <td>{f.settings.runs} + {f.settings.warmup ?? 1}</td>
      <td title={f.sessionReused ? 'this figure reused a session already open; the time is of its creation' : undefined}>{ms(f.sessionCreateMs)}{f.sessionReused ? ' (reused)' : ''}</td>
      <td>{ms(f.firstMs)}</td>
      <td>{scalingWhere(f)}</td>
      <td data-testid="scaling-memory" title={f.memory && 'unavailable' in f.memory ? f.memory.unavailable : f.memory ? `measured in ${(f.memory.ms / 1000).toFixed(1)} s` : 'not measured (tick "browser memory after each model": it is kept on the model\'s last figure)'}>
        {!f.memory ? '—' : 'bytes' in f.memory ? bytes(f.memory.bytes) : 'unknown'}
      </td>
    </tr>
  );
}

export function SpeedScalingPanel() {
  const model = useLab((s) => s.model);
  const all = useLab((s) => s.scalings);
  const height = useChartHeight();
  const mine = useMemo(() => (model ? all.filter((r) => r.modelKey === modelKeyOf(model)) : []), [all, model]);
  const pg = useMemo(() => prefillGroups(mine), [mine]);
  const dg = useMemo(() => decodeGroups(mine), [mine]);
  const [pKey, setPKey] = useState<string>();
  const [dKey, setDKey] = useState<string>();
  if (model?.task === 'sequence-classification') return null;
  const pGroup = pg.find((g) => g.key === pKey) ?? pg[0];
  const dGroup = dg.find((g) => g.key === dKey) ?? dg[0];
  const series = batchSeries(pGroup?.figures ?? []);
  const batches = [...new Set(series.flatMap((s) => s.points.map((p) => p.batch)))].sort((a, b) => a - b);
  const bars = decodeBars(dGroup?.figures ?? []);
  const drawn = [...(pGroup?.figures ?? []), ...(dGroup?.figures ?? [])];
  const places = placesOf(drawn);
  const soft = drawn.some((f) => f.settings.backend === 'webgpu' && isSoftwareAdapter(f.adapter));
  const left = mine.length - drawn.length;
  const settings = [pGroup ? `Prefill: ${pGroup.label}.` : '', dGroup ? `Decode: ${dGroup.label}.` : '',
    ...Object.values(places).map((w) => `${w!.join(' / ')}${w!.length > 1 ? ' (timed in different places: compare with care)' : ''}.`),
    left > 0 ? `${plural(left, 'figure')} measured on other settings ${left === 1 ? 'is' : 'are'} not drawn (pick them above).` : ''].filter(Boolean).join(' ');
  // one colour per model × backend, the same in the prefill lines and the decode bars; only when
  // each backend holds one model is the colour the backend's (two series once shared one colour:
  // INT4 on WASM took SERIES[1] by its index, INT4 on WebGPU the WebGPU colour, also SERIES[1])
  const ids = [...new Set([...series.map((s) => s.id), ...bars.map((b) => b.id)])];
  const byBackend = ids.length <= new Set(ids.map((id) => id.split('|')[0])).size;
  const colorFor = (id: string, backend: 'wasm' | 'webgpu') => (byBackend ? BACKEND_COLOR[backend] : MANY_SERIES[ids.indexOf(id) % MANY_SERIES.length]);
  const colorOf = (i: number, backend: 'wasm' | 'webgpu') => colorFor(series[i].id, backend);
  return (
    <Panel
      id="speed-scaling" title="Speed: batch scaling and decode" what={SPEED_SCALING_WHAT} settings={settings || 'Nothing timed yet.'}
      legend={series.map((s, i) => ({ label: `${s.label}${s.backend === 'webgpu' && soft ? ' (software adapter)' : ''}`, color: colorOf(i, s.backend) }))}
      empty={mine.length === 0 ? 'No speed figures yet: press Speed to time the baseline and every variant.' : undefined}
      actions={(
        <>
          <SpeedControls />
          <div className="row">
            <GroupPick what="prefill" groups={pg} group={pGroup} choose={setPKey} testId="scaling-prefill-group" />
            <GroupPick what="decode" groups={dg} group={dGroup} choose={setDKey} testId="scaling-decode-group" />
          </div>
          {soft && <p className="warn-text small" data-testid="scaling-software">WebGPU figures here come from a software adapter (SwiftShader or alike): they are the CPU's speed, not a GPU's.</p>}
        </>
      )}
    >
      <div className="speed-charts" style={{ display: 'flex', flexWrap: 'wrap', gap: 12, alignItems: 'flex-start' }}>
        {series.length > 0 && (
          <div style={{ flex: '1 1 340px', minWidth: 0 }}>
            <ResponsiveContainer width="100%" height={height}>
              <ScatterChart margin={{ top: 16, right: 24, bottom: 28, left: 16 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis type="number" dataKey="batch" domain={[0, 'dataMax']} ticks={batches} label={{ value: 'batch (texts at once)', position: 'insideBottom', offset: -16 }} />
                <YAxis type="number" dataKey="tokS" width={72} label={{ value: 'prefill tokens/s', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }} />
                <Tooltip formatter={(v: unknown, name: unknown) => [typeof v === 'number' ? v.toFixed(0) : String(v), name === 'batch' ? 'batch' : 'tokens/s (median)']} />
                {series.map((s, i) => (
                  <Scatter key={s.id} name={s.label} data={s.points} fill={colorOf(i, s.backend)} line={{ stroke: colorOf(i, s.backend), strokeWidth: 2, strokeDasharray: s.backend === 'webgpu' ? '6 3' : undefined }} isAnimationActive={false} />
                ))}
              </ScatterChart>
            </ResponsiveContainer>
          </div>
        )}
        {bars.length > 0 && (
          <div style={{ flex: '1 1 340px', minWidth: 0 }}>
            <DecodeBars bars={bars} color={(b) => colorFor(b.id, b.backend)} caption={['Decode tokens/s: median run; whisker: slowest–fastest run', "(single-token steps; the prompt's run apart)"]} />
          </div>
        )}
      </div>
      <div className="scroll"><table className="small" data-testid="scaling-table">
        <thead>
          <tr><th>model</th><th>what</th><th>tok/s median</th><th>tok/s p90 (slow)</th><th>ms median</th><th>ms p90</th><th>runs + warm-up</th><th>session create ms</th><th>first run ms</th><th>where</th><th>browser memory after</th></tr>
        </thead>
        <tbody>{drawn.map((f) => <FigureRow key={`${f.kind}|${f.variantId}|${JSON.stringify(f.settings)}`} f={f} />)}</tbody>
      </table></div>
      <p className="muted small">Prefill: batch × tokens a row / the median run; decode: 1000 / the median run's mean ms per single-token step. First run = the untimed warm-up (on WebGPU it compiles the shaders); session create = InferenceSession.create. Browser memory = performance.measureUserAgentSpecificMemory right after the model's last figure on that backend (page and workers, GPU buffers not counted; "unknown" where the browser gives none, e.g. a page that is not cross-origin isolated).</p>
    </Panel>
  );
}
