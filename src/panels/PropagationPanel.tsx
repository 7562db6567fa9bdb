/**
 * Error propagation: how far each variant's hidden state is from the baseline's after each block
 * (‖h_variant − h_base‖ / ‖h_base‖ per token, mean over the windows' tokens; LabApi.errorPropagation),
 * one line per variant on a log axis. Measured on demand (it runs every variant again), with
 * progress and a Stop button; results of one backend, window count and context share the chart.
 */
import { useMemo, useState } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Backend } from '../../workers/api';
import { measureErrorPropagation, stopErrorPropagation } from '../engine/propagation';
import { useLab } from '../store';
import type { StoredPropagation } from '../store/propagation';
import { modelKeyOf } from '../store/types';
import { BackendSelect } from '../components/BackendSelect';
import { BACKEND_LABEL } from '../lib/plan';
import { MANY_SERIES } from './colors';
import { Panel, useChartHeight } from './Panel';
import { logTicks } from './scale';

export const PROPAGATION_WHAT = 'How far each variant\'s inner state has drifted from the original model\'s after each block, as a share of its size (0.01 = 1 %): where compression errors grow or fade on their way to the output.';

const settingsKey = (r: StoredPropagation) => `${r.settings.backend}|${r.settings.windows}|${r.settings.context}|${r.dataset}`;
const settingsText = (r: StoredPropagation) =>
  `${BACKEND_LABEL[r.settings.backend]} · ${r.dataset} · ${r.settings.windows} window${r.settings.windows === 1 ? '' : 's'} × ${r.settings.context} tokens from the start (${r.tokens} tokens) · packed models`;

/** 3.1e-2 → "0.031", small ones in exponent form. */
export const divergenceText = (v: number) => (v === 0 ? '0' : v >= 0.001 && v < 100 ? v.toPrecision(2) : v.toExponential(1));

export function PropagationPanel() {
  const model = useLab((s) => s.model);
  const variants = useLab((s) => s.variants);
  const all = useLab((s) => s.propagations);
  const running = useLab((s) => s.running);
  const height = useChartHeight();
  const [backend, setBackend] = useState<Backend>('wasm');
  const [windows, setWindows] = useState(2);
  const [step, setStep] = useState<string>();
  const [chosen, setChosen] = useState<string>();
  const modelKey = model ? modelKeyOf(model) : undefined;
  const mine = useMemo(() => {
    const kept = new Set(variants.filter((v) => v.modelKey === modelKey).map((v) => v.id));
    return all.filter((r) => r.modelKey === modelKey && (r.variantId === 'baseline' || kept.has(r.variantId)));
  }, [all, variants, modelKey]);
  const groups = [...new Set(mine.map(settingsKey))];
  const group = groups.includes(chosen ?? '') ? chosen! : groups[0];
  const shown = mine.filter((r) => settingsKey(r) === group);
  const labels = shown[0]?.points.map((p) => p.label) ?? [];
  const data = labels.map((label, k) => ({
    label,
    // 0 (nothing changed yet) has no place on a log axis: left out of the line, said in the table
    ...Object.fromEntries(shown.map((r) => [r.variantId, r.points[k]?.mean > 0 ? r.points[k].mean : null])),
  }));
  const positives = shown.flatMap((r) => r.points.map((p) => p.mean)).filter((v) => v > 0);
  const lo = positives.length ? Math.min(...positives) / 1.5 : 1e-3;
  const hi = positives.length ? Math.max(...positives) * 1.5 : 1;
  const color = (i: number) => MANY_SERIES[i % MANY_SERIES.length];
  const nVariants = variants.filter((v) => v.modelKey === modelKey).length;
  if (!model || model.task === 'sequence-classification') return null;

  const go = async () => {
    setStep('starting…');
    let active = true;
    try {
      await measureErrorPropagation({ backend, windows }, (what) => active && setStep(what));
    } finally {
      active = false;
      setStep(undefined);
    }
  };
  return (
    <Panel
      id="propagation" title="Error propagation" what={PROPAGATION_WHAT}
      settings={shown[0] ? `Measured on ${settingsText(shown[0])}; ${shown[0].rule}.` : 'Not measured yet: it runs the baseline and every variant again on a few windows.'}
      legend={shown.map((r, i) => ({ label: r.variantLabel, color: color(i) }))}
    >
      <div className="row small">
        <BackendSelect value={backend} onChange={setBackend} testId="propagation-backend" />
        <label>windows <input type="number" min={1} max={16} value={windows} onChange={(e) => setWindows(Math.max(1, Math.min(16, Math.round(Number(e.target.value)) || 1)))} data-testid="propagation-windows" style={{ width: '4em' }} /></label>
        {step ? (
          <button onClick={() => void stopErrorPropagation()} data-testid="propagation-cancel">Stop</button>
        ) : (
          <button onClick={() => void go()} disabled={running || nVariants === 0} data-testid="propagation-run" title={nVariants === 0 ? 'make some variants first' : running ? 'a run is going on' : undefined}>
            Measure error propagation
          </button>
        )}
        {groups.length > 1 && (
          <label>show <select value={group} onChange={(e) => setChosen(e.target.value)} data-testid="propagation-group">
            {groups.map((g) => <option key={g} value={g}>{settingsText(mine.find((r) => settingsKey(r) === g)!)}</option>)}
          </select></label>
        )}
      </div>
      {step && <p className="muted small" data-testid="propagation-progress" aria-live="polite">{step}</p>}
      {shown.length === 0 ? (
        <p className="muted" data-testid="panel-empty">{nVariants === 0 ? 'No variants yet: make some, then measure.' : 'Press "Measure error propagation" to compare every variant with the baseline, block after block.'}</p>
      ) : (
        <>
          <ResponsiveContainer width="100%" height={height}>
            <LineChart data={data} margin={{ top: 16, right: 24, bottom: 8, left: 16 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="label" tick={{ fontSize: 12 }} interval={0} />
              <YAxis scale="log" domain={[lo, hi]} ticks={logTicks(lo, hi)} tickFormatter={divergenceText} allowDataOverflow width={64} tick={{ fontSize: 12 }}
                label={{ value: 'relative divergence (log)', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }} />
              <Tooltip formatter={(v: unknown, name: unknown) => [typeof v === 'number' ? divergenceText(v) : '0 (unchanged)', shown.find((r) => r.variantId === name)?.variantLabel ?? String(name)]} />
              {shown.map((r, i) => (
                <Line key={r.variantId} dataKey={r.variantId} name={r.variantId} stroke={color(i)} strokeWidth={2} dot={{ r: 3 }} connectNulls={false} isAnimationActive={false} />
              ))}
            </LineChart>
          </ResponsiveContainer>
          <PropagationTable shown={shown} labels={labels} />
        </>
      )}
    </Panel>
  );
}

/** The numbers drawn: mean per boundary (max in the cell's title). */
function PropagationTable({ shown, labels }: { shown: StoredPropagation[]; labels: string[] }) {
  return (
    <div className="scroll">
      <table className="small" data-testid="propagation-table">
        <caption className="muted">mean over tokens of ‖h_variant − h_base‖ / ‖h_base‖ (hover: the largest token); 0 = exactly unchanged, left off the log axis</caption>
        <thead><tr><th scope="col">variant</th>{labels.map((l) => <th key={l} scope="col">{l}</th>)}</tr></thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.variantId} data-testid="propagation-row" data-variant={r.variantId}>
              <th scope="row">{r.variantLabel}</th>
              {r.points.map((p) => <td key={p.position} title={`max ${divergenceText(p.max)} · ${p.tensor}`} data-mean={p.mean}>{divergenceText(p.mean)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
