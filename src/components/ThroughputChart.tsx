/**
 * WebGPU vs WASM prefill throughput per variant, from the run's interleaved speed comparisons
 * (compareSpeed: every model warmed up, then timed A B C A B C …, so drift lands on all alike),
 * never from the per-evaluation throughput, whose run order and noise made equal work look
 * different. Each bar is the median; the error bar is p10–p90. The list under the chart names
 * every figure's model form (packed, dense f32, source), backend and WASM threads or adapter.
 */
import { BACKENDS } from '../../workers/api';
import { BACKEND_LABEL } from '../lib/plan';
import { plural } from '../lib/format';
import { speedText, speedWhere, useResultRows, type ResultRow } from '../lib/selectors';
import { speedFormText, speedFormWhy } from '../lib/speed-form';
import type { StoredSpeed } from '../store/types';
import { BackendBars } from './BackendBars';

const tokS = (s: StoredSpeed, ms: number) => (s.seqLen * 1000) / ms;

/** One figure, labelled with the form that ran (the f32 twin when the EP refused the packed model), not the variant's storage. */
export function Figure({ r, s, labelOf }: { r: ResultRow; s: StoredSpeed; labelOf: (id: string) => string }) {
  return (
    <li data-testid="speed-figure" data-backend={s.backend} data-variant={r.label} data-form={s.form} title={`${speedFormWhy(r.variant, s)}; ${speedText(s, labelOf)}`}>
      {r.label} · {speedFormText(r.variant, s)} · {speedWhere(s)}: <strong>{s.tokensPerS.toFixed(0)}</strong> tok/s
      {' '}(p10–p90 {tokS(s, s.p90Ms).toFixed(0)}–{tokS(s, s.p10Ms).toFixed(0)}, {plural(s.runsMs.length, 'interleaved run')}, seq {s.seqLen})
    </li>
  );
}

export function ThroughputChart() {
  const rows = useResultRows();
  const labelOf = (id: string) => rows.find((r) => r.key === id)?.label ?? 'a variant no longer listed';
  const figures = rows.flatMap((r) => BACKENDS.flatMap((b) => (r.speeds[b] ? [{ r, s: r.speeds[b] }] : [])));
  const how = BACKENDS.map((b) => figures.find((f) => f.s.backend === b)?.s)
    .filter((s): s is StoredSpeed => !!s)
    .map((s) => `${BACKEND_LABEL[s.backend]} seq ${s.seqLen}, median of ${plural(s.runsMs.length, 'run')} after ${s.warmup} warm-up`)
    .join('; ');
  return (
    <section className="card chart" data-testid="throughput-chart" data-source="compareSpeed">
      <h2>
        Throughput, WebGPU vs WASM{' '}
        <span className="muted small" data-testid="speed-how">
          prefill tokens/s, higher is better · timed interleaved (A B C A B C …) after each model's warm-up, bar = median, whisker = p10–p90{how ? ` · ${how}` : ''}
        </span>
      </h2>
      <BackendBars
        rows={rows}
        value={(r, b) => {
          const s = r.speeds[b];
          return s && { value: s.tokensPerS, spread: [tokS(s, s.p90Ms), tokS(s, s.p10Ms)] };
        }}
        unit="tokens/s"
        digits={0}
      />
      {figures.length > 0 && (
        <ul className="speed-figures small muted" data-testid="speed-figures">
          {figures.map(({ r, s }) => <Figure key={`${r.key}-${s.backend}`} r={r} s={s} labelOf={labelOf} />)}
        </ul>
      )}
    </section>
  );
}
