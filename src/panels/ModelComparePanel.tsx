/**
 * Two models side by side: the lab keeps every model's results (IndexedDB), so after running
 * variants on one model and then on another (e.g. the demo LM and the small demo LM) this panel
 * sets them next to each other: per variant, each model's perplexity, its change from that model's
 * own baseline and its bits per weight. Bars are drawn only for pairs measured on the same settings;
 * the chosen pair and backend are remembered across reloads (localStorage).
 */
import { useEffect, useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, LabelList, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Backend } from '../../workers/api';
import { compareModels, modelsWithResults, sharedBackends, type ComparedModel, type Side } from '../lib/model-compare';
import { BACKEND_LABEL } from '../lib/plan';
import { useLab } from '../store';
import { modelKeyOf } from '../store/types';
import { SERIES } from './colors';
import { settingsLabel } from './groups';
import { Panel, useChartHeight } from './Panel';

export const COMPARE_WHAT = 'The same compression on two different models: how much each model\'s perplexity rises from its own uncompressed version (in %), so you can see which model takes the compression better.';

const KEEP = 'compression-lab-compare';
interface Pick { a?: string; b?: string; backend?: Backend }
const readPick = (): Pick => {
  try {
    return JSON.parse(localStorage.getItem(KEEP) ?? '{}') as Pick;
  } catch {
    return {};
  }
};

const pct = (d: number | undefined) => (d === undefined ? '—' : `${d >= 0 ? '+' : '−'}${Math.abs(d * 100).toFixed(1)} %`);
const modelText = (m: ComparedModel) => `${m.name} (${(m.params / 1e6).toFixed(2)} M parameters)`;

export function ModelComparePanel() {
  const evals = useLab((s) => s.evals);
  const variants = useLab((s) => s.variants);
  const loaded = useLab((s) => s.model);
  const height = useChartHeight();
  const models = useMemo(() => modelsWithResults(evals), [evals]);
  const [pick, setPick] = useState<Pick>(readPick);
  useEffect(() => {
    try {
      localStorage.setItem(KEEP, JSON.stringify(pick));
    } catch {
      // no storage (private mode): the choice lasts for this page only
    }
  }, [pick]);
  const has = (k: string | undefined) => !!k && models.some((m) => m.key === k);
  const loadedKey = loaded ? modelKeyOf(loaded) : undefined;
  // defaults: the loaded model, and the most recently measured other one
  const a = has(pick.a) ? pick.a! : has(loadedKey) ? loadedKey! : models[0]?.key;
  const b = has(pick.b) && pick.b !== a ? pick.b! : models.find((m) => m.key !== a)?.key;
  const backends = a && b ? sharedBackends(a, b, evals) : [];
  const backend = backends.includes(pick.backend!) ? pick.backend! : backends[0];
  const rows = useMemo(() => (a && b && backend ? compareModels(a, b, backend, variants, evals) : []), [a, b, backend, variants, evals]);
  const drawn = rows.filter((r) => r.comparable && r.key !== 'baseline');
  const [ma, mb] = [models.find((m) => m.key === a), models.find((m) => m.key === b)];
  const data = drawn.map((r) => ({ label: r.label, a: r.sides[0]!.delta! * 100, b: r.sides[1]!.delta! * 100 }));
  const empty = models.length < 2
    ? 'Needs results of two models: run variants on one model, load another (e.g. "Demo LM 1.9 M") and run the same variants; both models\' results are kept.'
    : !backend ? 'These two models have no results on the same backend.' : undefined;
  const base = rows.find((r) => r.key === 'baseline');
  const [la, lb] = [base?.sides[0] && settingsLabel(base.sides[0].eval), base?.sides[1] && settingsLabel(base.sides[1].eval)];
  const settingsLine = la && lb
    ? la === lb ? `Both models measured on ${la}, each against its own baseline.` : `${ma?.name}: ${la}; ${mb?.name}: ${lb}. Bars only where both models share the settings.`
    : 'Each model against its own baseline, on the same settings.';
  const side = (s: Side | undefined, which: string) => (
    <>
      <td className="r" data-testid={`compare-ppl-${which}`} data-ppl={s?.eval.perplexity.ppl} title={s ? settingsLabel(s.eval) : undefined}>{s ? s.eval.perplexity.ppl.toFixed(2) : '—'}</td>
      <td className="r" data-testid={`compare-delta-${which}`}>{s ? pct(s.delta) : '—'}</td>
      <td className="r">{s ? s.bits.toFixed(2) : '—'}</td>
    </>
  );
  return (
    <Panel
      id="model-compare" title="Two models side by side" what={COMPARE_WHAT} settings={settingsLine} empty={empty}
      legend={ma && mb ? [{ label: modelText(ma), color: SERIES[0] }, { label: modelText(mb), color: SERIES[1] }] : []}
      actions={models.length >= 2 && (
        <div className="row small">
          <label>model A <select value={a} onChange={(e) => setPick({ ...pick, a: e.target.value, b })} data-testid="compare-a">
            {models.map((m) => <option key={m.key} value={m.key}>{modelText(m)}</option>)}
          </select></label>
          <label>model B <select value={b} onChange={(e) => setPick({ ...pick, a, b: e.target.value })} data-testid="compare-b">
            {models.filter((m) => m.key !== a).map((m) => <option key={m.key} value={m.key}>{modelText(m)}</option>)}
          </select></label>
          {backends.length > 1 && (
            <label>on <select value={backend} onChange={(e) => setPick({ ...pick, a, b, backend: e.target.value as Backend })} data-testid="compare-backend">
              {backends.map((bk) => <option key={bk} value={bk}>{BACKEND_LABEL[bk]}</option>)}
            </select></label>
          )}
        </div>
      )}
    >
      {drawn.length === 0 ? (
        <p className="muted" data-testid="compare-none">No variant of both models was measured on the same settings (backend, text, tokens, context, stride) with its baseline: run the same setup on both to draw bars.</p>
      ) : (
        <ResponsiveContainer width="100%" height={height}>
          <BarChart data={data} margin={{ top: 22, right: 16, bottom: 8, left: 16 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={{ fontSize: 12 }} interval={0} />
            <YAxis tick={{ fontSize: 12 }} width={64} tickFormatter={(v: number) => `${v.toFixed(0)} %`}
              label={{ value: 'perplexity change from own baseline', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }} />
            <ReferenceLine y={0} stroke="#333" />
            <Tooltip formatter={(v: unknown, name: unknown) => [typeof v === 'number' ? pct(v / 100) : '—', name === 'a' ? ma?.name : mb?.name]} />
            {(['a', 'b'] as const).map((k, i) => (
              <Bar key={k} dataKey={k} name={k} fill={SERIES[i]} maxBarSize={90} isAnimationActive={false}>
                <LabelList dataKey={k} position="top" formatter={(v: unknown) => (typeof v === 'number' ? pct(v / 100) : '')} style={{ fontSize: 11 }} />
              </Bar>
            ))}
          </BarChart>
        </ResponsiveContainer>
      )}
      <div className="scroll">
        <table className="small" data-testid="compare-table">
          <caption className="muted">hover a perplexity for its settings; Δ against the same model's baseline on the same settings</caption>
          <thead>
            <tr><th scope="col" rowSpan={2}>variant</th><th scope="colgroup" colSpan={3}>{ma?.name}</th><th scope="colgroup" colSpan={3}>{mb?.name}</th></tr>
            <tr>{[0, 1].map((i) => ['ppl', 'Δ', 'bits/w'].map((h) => <th key={`${i}${h}`} scope="col">{h}</th>))}</tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} data-testid="compare-row" data-key={r.key} data-comparable={r.comparable}>
                <th scope="row">{r.label}</th>
                {side(r.sides[0], 'a')}
                {side(r.sides[1], 'b')}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
