/** WebGPU vs WASM prefill throughput per variant (tokens/s, median of the timed runs). */
import { plural } from '../lib/format';
import { useResultRows } from '../lib/selectors';
import { BackendBars } from './BackendBars';

export function ThroughputChart() {
  const rows = useResultRows();
  const any = rows.flatMap((r) => Object.values(r.evals))[0];
  return (
    <section className="card chart" data-testid="throughput-chart">
      <h2>Throughput, WebGPU vs WASM <span className="muted small">prefill tokens/s, higher is better{any ? ` · batch ${any.throughput.batch} × ${any.throughput.seqLen} tokens, median of ${plural(any.throughput.runs, 'run')} after ${any.throughput.warmup} warm-up` : ''}</span></h2>
      <BackendBars rows={rows} value={(e) => e.throughput.tokensPerS} unit="tokens/s" digits={0} />
    </section>
  );
}
