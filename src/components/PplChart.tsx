/**
 * Perplexity of every variant next to the baseline: one bar per variant, all on the same tokens
 * (the settings most results share; others are left out and said so), with its 95 % bootstrap
 * interval. Whether WebGPU and WASM agree is a mark per variant, never a second bar: on the same
 * tokens the two backends give the same perplexity, and on different tokens the bars would not compare.
 * Variants run packed unless marked simulated.
 */
import { Bar, BarChart, CartesianGrid, ErrorBar, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { AGREEMENT_MARK, agreementOf, chartSettings, evalOn } from '../lib/eval-view';
import { formText, useResultRows } from '../lib/selectors';
import { KlTable } from './KlTable';
import { logTicks, tickText } from '../panels/scale';
import { CategoryTick, tickHeight, tickMode, useWidth } from './CategoryTick';

export function PplChart() {
  const rows = useResultRows();
  const key = chartSettings(rows);
  const points = rows.flatMap((r) => {
    const e = evalOn(r, key);
    if (!e) return [];
    const agree = agreementOf(r);
    const ci = e.perplexity.ci95;
    return [{
      label: `${r.label}${formText(e) === 'simulated (f32)' ? ' (simulated f32)' : ''} ${AGREEMENT_MARK[agree.status]}`,
      ppl: e.perplexity.ppl,
      err: ci ? [e.perplexity.ppl - ci[0], ci[1] - e.perplexity.ppl] : null,
      ci: ci ? `${ci[0].toFixed(2)}–${ci[1].toFixed(2)}` : 'no interval (result stored before it existed)',
      agree,
      row: r,
    }];
  });
  const left = rows.filter((r) => (r.evals.wasm || r.evals.webgpu) && !evalOn(r, key)).map((r) => r.label);
  const first = points[0] && evalOn(points[0].row, key)!;
  // many variants: labels wrap, or are shortened and angled (full text on hover and in the tooltip)
  const [ref, width] = useWidth<HTMLElement>();
  const mode = tickMode(points.map((p) => p.label), width);
  const per = (width - 80) / Math.max(1, points.length);
  // one bar ten times the others (90 % pruning) flattened every other bar on a linear axis: then
  // the axis is logarithmic, from the power of ten under the lowest bar, and says so
  const ppls = points.map((p) => p.ppl);
  const log = ppls.length > 1 && Math.max(...ppls) / Math.min(...ppls) > 10;
  const logLo = 10 ** Math.floor(Math.log10(Math.min(...ppls)));
  const logHi = Math.max(...ppls) * 1.5;
  // the same agreement line for every bar (one backend only) is said once
  const sameAgreement = points.length > 1 && points.every((p) => p.agree.status === points[0].agree.status && p.agree.text === points[0].agree.text && p.agree.status === 'unchecked');
  return (
    <section className="card chart" data-testid="ppl-chart" data-tick-mode={mode} data-axis={log ? 'log' : 'linear'} ref={ref}>
      <h2>
        Perplexity by variant{' '}
        <span className="muted small">
          lower is better{first ? ` · ${first.perplexity.dataset}, ${first.perplexity.tokensScored} tokens scored, context ${first.perplexity.context}, stride ${first.perplexity.stride}; bars: 95 % bootstrap interval over windows; ✓ WebGPU and WASM agree on the same tokens, ⚠ they do not, · not compared` : ''}
        </span>
      </h2>
      {points.length === 0 ? (
        <p className="muted">No results yet: numbers appear here as each job finishes.</p>
      ) : (
        <ResponsiveContainer width="100%" height={236 + tickHeight(mode)}>
          <BarChart data={points} margin={{ top: 20, right: 8, bottom: 8, left: mode === 'angled' ? 40 : 8 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" interval={0} height={tickHeight(mode)} tick={(p: object) => <CategoryTick {...p} mode={mode} per={per} />} />
            {log ? (
              <YAxis tick={{ fontSize: 12 }} width={56} scale="log" domain={[logLo, logHi]} ticks={logTicks(logLo, logHi)} tickFormatter={tickText} allowDataOverflow
                label={{ value: 'perplexity (log)', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle', fontSize: 12 } }} />
            ) : <YAxis tick={{ fontSize: 12 }} width={56} />}
            <Tooltip formatter={(v, _n, item) => (typeof v === 'number' ? `${v.toFixed(2)} ppl (95 % CI ${(item?.payload as { ci: string }).ci})` : '—')} />
            <Bar dataKey="ppl" name="perplexity" fill="#3b6fd1" isAnimationActive={false}>
              <ErrorBar dataKey="err" width={6} strokeWidth={1.5} stroke="#333" direction="y" />
              <LabelList dataKey="ppl" position="top" formatter={(v: unknown) => (typeof v === 'number' ? v.toFixed(2) : '')} style={{ fontSize: 11 }} />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      )}
      {left.length > 0 && <p className="muted small" data-testid="ppl-chart-left-out">Not drawn (evaluated on other tokens or settings, not comparable): {left.join(', ')}.</p>}
      {points.length > 0 && (
        <ul className="agreement small" data-testid="backend-agreement">
          {sameAgreement ? (
            <li data-testid={`agreement-${points[0].agree.status}`}>{AGREEMENT_MARK[points[0].agree.status]} every variant: {points[0].agree.text}</li>
          ) : points.map((p) => (
            <li key={p.row.key} className={p.agree.status === 'disagree' ? 'warn-text' : undefined} data-testid={`agreement-${p.agree.status}`}>
              {AGREEMENT_MARK[p.agree.status]} {p.row.label}: {p.agree.text}
            </li>
          ))}
        </ul>
      )}
      <KlTable rows={rows} settingsKey={key} />
    </section>
  );
}
