/**
 * Every variant with how it is stored, its real sizes, its compression stats, per-backend
 * perplexity and speed, and an Export button; hover a number for how it was measured.
 * The tok/s (eval) columns are timed during each evaluation, one model after another; the speed
 * columns (and the throughput chart) come from the run's interleaved comparison.
 */
import { BACKENDS } from '../../workers/api';
import { BACKEND_LABEL } from '../lib/plan';
import { useResultRows } from '../lib/selectors';
import { ResultRowView } from './ResultRow';

export function ResultsTable() {
  const rows = useResultRows();
  return (
    <section className="card" data-testid="results-table">
      <h2>Results <span className="muted small">sizes measured from the bytes written; pruned variants stay dense f32, so their zeros save gzip/download bytes, not compute</span></h2>
      <div className="scroll">
        <table>
          <thead>
            <tr>
              <th>variant</th><th>stored as</th><th>bits/weight</th><th>packed size</th><th>gzip</th><th>f32 size</th><th>sparsity</th><th>rel. error</th><th>SQNR dB</th>
              {BACKENDS.map((b) => <th key={`p-${b}`}>ppl {BACKEND_LABEL[b]}</th>)}
              {BACKENDS.map((b) => <th key={`t-${b}`} title="timed during the evaluation, not interleaved">tok/s {BACKEND_LABEL[b]} (eval)</th>)}
              {BACKENDS.map((b) => <th key={`s-${b}`} title="the run's interleaved speed comparison">speed {BACKEND_LABEL[b]} (interleaved)</th>)}
              <th>settings</th><th>export</th>
            </tr>
          </thead>
          <tbody>{rows.map((r) => <ResultRowView key={r.key} r={r} />)}</tbody>
        </table>
      </div>
    </section>
  );
}
