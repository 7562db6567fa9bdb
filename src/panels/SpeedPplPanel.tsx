/**
 * Speed vs perplexity: each model's prefill speed from the run's interleaved comparison on the
 * backend of the drawn settings group, against its perplexity there. Speeds of different runs
 * were not timed together, so only the figures of one run (the baseline's, else the most common)
 * are drawn; the rest are counted as left out.
 */
import { plural } from '../lib/format';
import { formText, speedWhere, useResultRows } from '../lib/selectors';
import { speedFormText } from '../lib/speed-form';
import { FRONTIER_LEGEND, FrontierPlot } from './FrontierPlot';
import { Panel } from './Panel';
import { paretoFrontier } from './shapes';
import { useGroup } from './use-group';

export const SPEED_PPL_WHAT = 'Each dot is one model: how many tokens per second it reads (right is faster) and how well it predicts the text (lower is better); the line joins the models nothing else beats on both.';

export function SpeedPplPanel() {
  const rows = useResultRows();
  const choice = useGroup(rows);
  const b = choice.group?.backend;
  const timed = (choice.group?.points ?? []).flatMap((p) => (b && p.row.speeds[b] ? [{ p, s: p.row.speeds[b]! }] : []));
  const runs = new Map<string, number>();
  for (const t of timed) runs.set(t.s.runId, (runs.get(t.s.runId) ?? 0) + 1);
  const baseRun = timed.find((t) => t.p.row.key === 'baseline')?.s.runId;
  const run = baseRun ?? [...runs.entries()].sort((x, y) => y[1] - x[1])[0]?.[0];
  const drawn = timed.filter((t) => t.s.runId === run);
  // a dot whose speed or perplexity came from f32 weights (a 3-bit variant, an EP that refused the packed model) says so
  const ran = drawn.map(({ p, s }) => ({ p, s, form: speedFormText(p.row.variant, s), sim: speedFormText(p.row.variant, s) === 'simulated (f32)' || (!!p.row.variant && formText(p.eval) === 'simulated (f32)') }));
  const points = ran.map(({ p, s, sim }) => ({ x: s.tokensPerS, y: p.eval.perplexity.ppl, label: `${p.row.label}${sim ? ' (simulated f32)' : ''}` }));
  // faster is better here: the frontier of (−speed, ppl)
  const frontier = paretoFrontier(points.map((q) => ({ ...q, x: -q.x }))).map((q) => ({ ...q, x: -q.x }));
  const s0 = drawn[0]?.s;
  // one run's comparison: one backend, one thread count / adapter for every dot
  const how = s0 && b ? ` Speed: ${speedWhere(s0)}, prefill batch 1 × ${s0.seqLen} tokens, median of ${plural(s0.runsMs.length, 'interleaved run')} per model, one run's comparison; as run: ${ran.map((r) => `${r.p.row.label} ${r.form}`).join(', ')}.` : '';
  return (
    <Panel
      id="speed-ppl" title="Speed vs perplexity" what={SPEED_PPL_WHAT} choice={choice}
      legend={FRONTIER_LEGEND}
      empty={points.length === 0 ? 'No speed figures on these settings yet: they come from the interleaved speed job at the end of a run.' : undefined}
    >
      <FrontierPlot points={points} frontier={frontier} xLabel="prefill tokens/s (interleaved, median)" xUnit="tokens/s" xDigits={0} />
      {how && <p className="muted small">{how}{timed.length > drawn.length ? ` ${timed.length - drawn.length} figure(s) from other runs are not drawn.` : ''}</p>}
    </Panel>
  );
}
