/** The uncompressed model's perplexity and speed per backend, each with exactly how it was measured. */
import { BACKENDS } from '../../workers/api';
import { BACKEND_LABEL } from '../lib/plan';
import { duration, fixed, plural } from '../lib/format';
import { formText, settingsText, speedWhere, useResultRows } from '../lib/selectors';
import { Num } from './Num';
import { PplDetails } from './PplDetails';

export function BaselineCard() {
  const baseline = useResultRows()[0];
  if (!baseline) return null;
  return (
    <section className="card" data-testid="baseline-card">
      <h2>Baseline</h2>
      <div className="baseline">
        {BACKENDS.map((b) => {
          const e = baseline.evals[b];
          return (
            <div key={b} className="stat" data-testid={`baseline-${b}`}>
              <div className="stat-label">{BACKEND_LABEL[b]} perplexity</div>
              <div className="stat-value">
                <Num text={fixed(e?.perplexity.ppl, 2)} why={`not measured on ${BACKEND_LABEL[b]} yet`} how={e && settingsText(e)} testId={`baseline-ppl-${b}`} />
              </div>
              {e ? (
                <div className="muted small">
                  {e.perplexity.dataset} · {e.perplexity.tokensScored} tokens · context {e.perplexity.context} · stride {e.perplexity.stride} · {plural(e.perplexity.windows, 'window')} · {duration(e.perplexity.seconds)}
                  <br />
                  <PplDetails p={e.perplexity} />
                  <br />
                  {/* a speed figure says what ran and where: the source model (or its f32 reference), threads or adapter */}
                  {fixed(e.throughput.tokensPerS, 0)} tokens/s prefill during the evaluation ({formText(e)}{e.form === 'simulated' ? ', f32 reference' : ''} · {speedWhere({ backend: b, wasmThreads: e.wasmThreads, adapter: e.adapter })}; median of {plural(e.throughput.runs, 'run')} after {e.throughput.warmup} warm-up, batch {e.throughput.batch} × {e.throughput.seqLen})
                </div>
              ) : (
                <div className="muted small">run to measure</div>
              )}
            </div>
          );
        })}
      </div>
    </section>
  );
}
