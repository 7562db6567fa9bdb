/** Perplexity of every variant next to the baseline, one bar per backend (lower is better). */
import { useResultRows } from '../lib/selectors';
import { BackendBars } from './BackendBars';

export function PplChart() {
  const rows = useResultRows();
  const any = rows.flatMap((r) => Object.values(r.evals))[0];
  return (
    <section className="card chart" data-testid="ppl-chart">
      <h2>Perplexity by variant <span className="muted small">lower is better{any ? ` · ${any.perplexity.dataset}, context ${any.perplexity.context}, stride ${any.perplexity.stride}; tokens per backend in the table` : ''}</span></h2>
      <BackendBars rows={rows} value={(e) => e.perplexity.ppl} unit="ppl" digits={2} />
    </section>
  );
}
