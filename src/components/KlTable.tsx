/**
 * Each variant against the base model on the same windows (llama.cpp's --kl-divergence report):
 * KL(base ‖ variant) per token, top-1 agreement, Δp of the correct token, perplexity ratio.
 * Computed in the worker in one graph holding both models; only per-token numbers came back.
 */
import { evalOn } from '../lib/eval-view';
import type { ResultRow } from '../lib/selectors';
import { BACKEND_LABEL } from '../lib/plan';
import { formText } from '../lib/selectors';

const sci = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 0.01 ? v.toFixed(4) : v.toExponential(2));
const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
const dp = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)}`;

export function KlTable({ rows, settingsKey }: { rows: ResultRow[]; settingsKey: string | undefined }) {
  const lines = rows.flatMap((r) => {
    const e = evalOn(r, settingsKey);
    return e?.kl ? [{ r, e, k: e.kl }] : [];
  });
  // unknown is shown as unknown: a variant left unscored against its base says why
  const skipped = rows.flatMap((r) => {
    const e = evalOn(r, settingsKey);
    return e?.klSkipped ? [`${r.label}: ${e.klSkipped}`] : [];
  });
  if (!lines.length && !skipped.length) return null;
  return (
    <div data-testid="kl-table">
      {skipped.map((why) => <p key={why} className="muted small" data-testid="kl-skipped">{why}</p>)}
      <h3>Against the base model <span className="muted small">same tokens, token by token; KL in nats; Δp = p<sub>variant</sub> − p<sub>base</sub> of the correct token, in points</span></h3>
      {/* a scroll box: focusable so a keyboard can scroll it, a labelled region so axe allows its name */}
      <div className="scroll" tabIndex={0} role="region" aria-label="KL against the base, per variant">
        <table className="small">
          <thead>
            <tr>
              <th>variant</th><th>KL mean</th><th>median / p99 / max</th><th>same top-1</th><th>Δp mean</th><th>Δp p1 / p5 / p50 / p95 / p99</th><th>ppl ratio</th><th>measured on</th>
            </tr>
          </thead>
          <tbody>
            {lines.map(({ r, e, k }) => (
              <tr key={r.key} data-testid="kl-row">
                <td>{r.label}</td>
                <td data-testid="kl-mean">{sci(k.mean)}</td>
                <td>{[k.median, k.p99, k.max].map(sci).join(' / ')}</td>
                <td data-testid="kl-top1">{pct(k.top1)}</td>
                <td>{dp(k.deltaP.mean)}</td>
                <td>{[k.deltaP.p1, k.deltaP.p5, k.deltaP.p50, k.deltaP.p95, k.deltaP.p99].map(dp).join(' / ')}</td>
                <td data-testid="kl-ppl-ratio">{k.pplRatio.toFixed(4)}</td>
                {/* what ran: the packed variant, or f32 weights (simulated: 3-bit, or an EP that refused the packed model) */}
                <td className={formText(e) === 'simulated (f32)' ? 'warn-text' : 'muted'} title={e.formReason}>{BACKEND_LABEL[e.settings.backend]}, {formText(e)}, {k.tokens} tokens, base ppl {k.basePpl.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
