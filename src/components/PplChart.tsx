/**
 * Perplexity of every variant next to the baseline, one bar per backend (lower is better).
 * Bars come from the packed models; a variant with any number from its f32 twin says "simulated (f32)".
 */
import { formText, useResultRows } from '../lib/selectors';
import { BackendBars } from './BackendBars';

export function PplChart() {
  const rows = useResultRows().map((r) =>
    Object.values(r.evals).some((e) => e && formText(e) === 'simulated (f32)') ? { ...r, label: `${r.label} (simulated f32)` } : r,
  );
  const any = rows.flatMap((r) => Object.values(r.evals))[0];
  return (
    <section className="card chart" data-testid="ppl-chart">
      <h2>Perplexity by variant <span className="muted small">lower is better{any ? ` · ${any.perplexity.dataset}, context ${any.perplexity.context}, stride ${any.perplexity.stride}; tokens per backend in the table; variants run packed unless marked simulated` : ''}</span></h2>
      <BackendBars rows={rows} value={(r, b) => r.evals[b] && { value: r.evals[b].perplexity.ppl }} unit="ppl" digits={2} />
    </section>
  );
}
