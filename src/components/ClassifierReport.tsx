/**
 * A sequence classifier's report: for the baseline and every variant on each backend, accuracy,
 * macro precision / recall / F1, per-class F1, latency (median, p90) and samples/s in the table with
 * how they were measured under it (each row's tooltip adds its own details); the confusion matrix of
 * the row picked. Shown only while a classifier is loaded.
 */
import { useMemo, useState } from 'react';
import './ClassifierReport.css';
import { useLab } from '../store';
import { modelKeyOf } from '../store/types';
import type { StoredClassification } from '../store/classifications';
import { useExamplesFile } from '../store/examples-file';
import { ExamplesPicker } from './ExamplesPicker';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const BACKEND = { webgpu: 'WebGPU', wasm: 'WASM' } as const;

function how(c: StoredClassification): string {
  const form = c.form === 'simulated' ? `simulated (f32): ${c.formReason ?? 'asked for'}` : c.variantId === 'baseline' ? 'source model' : 'packed model';
  return `${c.examples} examples of ${c.dataset}, batch 1, ${BACKEND[c.settings.backend]}, ${form}; latency median ${c.latencyMs.median.toFixed(1)} ms, p90 ${c.latencyMs.p90.toFixed(1)} ms over all but the first run (${c.latencyMs.firstMs.toFixed(0)} ms, warm-up)`;
}

export function ClassifierReport() {
  const model = useLab((s) => s.model);
  const all = useLab((s) => s.classifications);
  const rows = useMemo(() => (model ? all.filter((c) => c.modelKey === modelKeyOf(model)) : []), [all, model]);
  const [picked, setPicked] = useState<number>(0);
  const mine = useExamplesFile((s) => s.file);
  if (!model || model.task !== 'sequence-classification') return null;
  const labels = model.labels ?? [];
  const shown = rows[Math.min(picked, rows.length - 1)];
  return (
    <section className="card" data-testid="classifier-report">
      <h2>Classification</h2>
      <p className="muted">
        How often the model picks the right label on {mine ? `${mine.rows ?? '?'} labelled examples (${mine.name}, yours)` : model.examples ? `${model.examples.count} labelled examples (${model.examples.name})` : 'its labelled examples'}, per variant and backend. Macro F1 weighs every label alike.
      </p>
      <ExamplesPicker builtIn={model.examples?.name ?? 'the built-in examples'} labels={labels} />
      {!rows.length ? (
        <p className="muted">No results yet: press Run.</p>
      ) : (
        <>
          <table className="results" data-testid="classifier-table">
            <thead>
              <tr>
                <th>variant</th><th>backend</th><th>examples</th><th>accuracy</th><th>macro P</th><th>macro R</th><th>macro F1</th>
                <th title="per example, batch 1">latency ms median / p90</th><th>samples/s</th>
                {labels.map((l) => <th key={l}>F1 {l}</th>)}
              </tr>
            </thead>
            <tbody>
              {rows.map((c, i) => (
                <tr key={`${c.variantId}-${c.settings.backend}-${c.dataset}`} title={how(c)} data-testid="classifier-row" data-variant={c.variantLabel} data-backend={c.settings.backend}
                  className={c === shown ? 'picked' : undefined} onClick={() => setPicked(i)}>
                  <td>{c.variantLabel}{c.form === 'simulated' ? ' (simulated f32)' : ''}</td>
                  <td>{BACKEND[c.settings.backend]}</td>
                  <td data-testid="classifier-dataset">{c.dataset} ({c.examples})</td>
                  <td data-testid="classifier-accuracy">{pct(c.accuracy)}</td>
                  <td data-testid="classifier-macro-precision">{c.macroPrecision.toFixed(3)}</td>
                  <td data-testid="classifier-macro-recall">{c.macroRecall.toFixed(3)}</td>
                  <td data-testid="classifier-macro-f1">{c.macroF1.toFixed(3)}</td>
                  <td data-testid="classifier-latency">{c.latencyMs.median.toFixed(1)} / {c.latencyMs.p90.toFixed(1)}</td>
                  <td data-testid="classifier-samples-per-s">{c.samplesPerS.toFixed(0)}</td>
                  {c.perClass.map((p) => <td key={p.label}>{p.f1.toFixed(3)}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small" data-testid="classifier-how">
            Macro P / R / F1: the mean over labels of each label's precision, recall and F1 (every label alike, whatever its count).
            Latency: one example at a time (batch 1), the time of the session's run alone (tokens prepared before), median and p90
            over every example but the first (warm-up; its time is in the row's tooltip). Samples/s: examples ÷ wall time of the
            whole loop, the first example and the feeds included.
          </p>
          {shown && (
            <figure data-testid="confusion-matrix">
              <figcaption>Confusion matrix of <strong>{shown.variantLabel}</strong> on {BACKEND[shown.settings.backend]} (rows: true label, columns: predicted; click a row above for another).</figcaption>
              <table className="confusion">
                {/* each label's F1 beside its row: the table above scrolls its per-label F1s out of a narrow card */}
                <thead><tr><th>true \ predicted</th>{labels.map((l) => <th key={l}>{l}</th>)}<th title="this label's F1 (harmonic mean of its precision and recall)">F1</th></tr></thead>
                <tbody>
                  {shown.confusion.map((row, t) => (
                    <tr key={t}>
                      <th>{labels[t]}</th>
                      {row.map((n, p) => {
                        const share = n / Math.max(1, row.reduce((a, b) => a + b, 0));
                        return <td key={p} style={{ background: `rgba(${t === p ? '30, 130, 76' : '200, 60, 40'}, ${share.toFixed(2)})`, color: share > 0.5 ? '#fff' : undefined }}>{n}</td>;
                      })}
                      <td data-testid="confusion-f1">{shown.perClass.find((c) => c.label === labels[t])?.f1.toFixed(3) ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="muted small">{how(shown)}</p>
            </figure>
          )}
        </>
      )}
    </section>
  );
}
