/** Every variant with its compression stats and per-backend perplexity and speed; hover a number for how it was measured. */
import { BACKENDS } from '../../workers/api';
import { BACKEND_LABEL } from '../lib/plan';
import { bytes, fixed, percent, plural } from '../lib/format';
import { settingsText, useResultRows, type ResultRow } from '../lib/selectors';
import type { StoredVariant } from '../store/types';
import { Num } from './Num';

/** Parameter-weighted mean of a per-tensor stat over the variant's linear weights. */
function weighted(v: StoredVariant | undefined, f: (t: StoredVariant['tensors'][number]) => number): number | undefined {
  if (!v || v.tensors.length === 0) return undefined;
  const total = v.tensors.reduce((a, t) => a + t.params, 0);
  return total > 0 ? v.tensors.reduce((a, t) => a + f(t) * t.params, 0) / total : undefined;
}

function Row({ r }: { r: ResultRow }) {
  const v = r.variant;
  const base = !v;
  const baseWhy = 'the baseline is uncompressed (f32)';
  const first = BACKENDS.map((b) => r.evals[b]).find(Boolean);
  return (
    <tr data-testid="result-row" data-variant={r.label}>
      <td>{r.label}</td>
      <td className="r"><Num text={base ? '32' : fixed(v.bitsPerWeight, 2)} why="not reported" how="linear weights, including scales and zero points" /></td>
      <td className="r"><Num text={bytes(v?.packedBytes)} why={base ? baseWhy : 'not reported'} how="linear weights packed, the rest f32" /></td>
      <td className="r"><Num text={percent(weighted(v, (t) => t.sparsity))} why={base ? baseWhy : 'not reported'} how="share of zero weights, over all linear weights" /></td>
      <td className="r"><Num text={fixed(weighted(v, (t) => t.relFrobeniusError), 4)} why={base ? baseWhy : 'not reported'} how="‖W−Ŵ‖F / ‖W‖F, parameter-weighted mean over tensors" /></td>
      <td className="r"><Num text={fixed(weighted(v, (t) => t.sqnrDb), 1)} why={base ? baseWhy : 'not reported'} how="signal-to-quantization-noise ratio in dB, parameter-weighted mean" /></td>
      {BACKENDS.map((b) => {
        const e = r.evals[b];
        return <td key={`p-${b}`} className="r"><Num text={fixed(e?.perplexity.ppl, 2)} why={`not evaluated on ${BACKEND_LABEL[b]}`} how={e && settingsText(e)} testId={`ppl-${b}`} /></td>;
      })}
      {BACKENDS.map((b) => {
        const e = r.evals[b];
        return <td key={`t-${b}`} className="r"><Num text={fixed(e?.throughput.tokensPerS, 0)} why={`not evaluated on ${BACKEND_LABEL[b]}`} how={e && `median ${fixed(e.throughput.medianMs, 1)} ms, p90 ${fixed(e.throughput.p90Ms, 1)} ms over ${plural(e.throughput.runs, 'run')}, batch ${e.throughput.batch} × ${e.throughput.seqLen}`} testId={`tps-${b}`} /></td>;
      })}
      <td className="small muted settings">
        {v && <>kernels: {v.device}{v.kernelMs ? `, ${fixed(v.kernelMs, 0)} ms` : ''}<br /></>}
        {first ? `${first.perplexity.dataset}, ctx ${first.perplexity.context}/stride ${first.perplexity.stride}, tokens ${BACKENDS.map((b) => r.evals[b] && `${BACKEND_LABEL[b]} ${r.evals[b]!.perplexity.tokensScored}`).filter(Boolean).join(', ')}` : '—'}
      </td>
    </tr>
  );
}

export function ResultsTable() {
  const rows = useResultRows();
  return (
    <section className="card" data-testid="results-table">
      <h2>Results</h2>
      <div className="scroll">
        <table>
          <thead>
            <tr>
              <th>variant</th><th>bits/weight</th><th>packed size</th><th>sparsity</th><th>rel. error</th><th>SQNR dB</th>
              {BACKENDS.map((b) => <th key={`p-${b}`}>ppl {BACKEND_LABEL[b]}</th>)}
              {BACKENDS.map((b) => <th key={`t-${b}`}>tok/s {BACKEND_LABEL[b]}</th>)}
              <th>settings</th>
            </tr>
          </thead>
          <tbody>{rows.map((r) => <Row key={r.key} r={r} />)}</tbody>
        </table>
      </div>
    </section>
  );
}
