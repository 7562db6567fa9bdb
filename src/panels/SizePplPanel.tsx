/**
 * Size vs perplexity: every result of one settings group at its packed model size (bytes as
 * written; the baseline's source file), with the Pareto frontier through the ones no other result
 * beats on both. Pruned variants are stored dense, so pruning alone does not move them left.
 */
import { formText, useResultRows } from '../lib/selectors';
import { useLab } from '../store';
import { FRONTIER_LEGEND, FrontierPlot } from './FrontierPlot';
import { Panel } from './Panel';
import { paretoFrontier } from './shapes';
import { useGroup } from './use-group';

const MIB = 1 << 20;

export const SIZE_PPL_WHAT = 'Each dot is one model: how many bytes it takes to store (left is smaller) and how well it predicts the text (lower is better); the line joins the models nothing else beats on both.';

export function SizePplPanel() {
  const rows = useResultRows();
  const model = useLab((s) => s.model);
  const choice = useGroup(rows);
  const points = (choice.group?.points ?? []).flatMap((p) => {
    const bytes = p.row.variant ? (p.row.variant.format ? p.row.variant.packedBytes : undefined) : model?.onnxBytes;
    if (!bytes) return [];
    // a format no op runs is written as f32 and evaluated so: its size is the f32 file's
    const sim = formText(p.eval) === 'simulated (f32)' || (p.row.variant?.storage as string | undefined) === 'simulated';
    return [{ x: bytes / MIB, y: p.eval.perplexity.ppl, label: sim ? `${p.row.label} (simulated)` : p.row.label }];
  });
  const frontier = paretoFrontier(points);
  return (
    <Panel
      id="size-ppl" title="Size vs perplexity" what={SIZE_PPL_WHAT} choice={choice}
      legend={FRONTIER_LEGEND}
      empty={points.length === 0 ? 'No results yet: dots appear as evaluations finish.' : undefined}
    >
      <FrontierPlot points={points} frontier={frontier} xLabel="stored size, MiB (packed model as written)" xUnit="MiB" xDigits={2} />
    </Panel>
  );
}
