/**
 * Prune × quant heatmap: rows are pruning ratios (0 % = not pruned), columns quantizers ("none" =
 * not quantized); each cell is the perplexity of that combination (prune first, then quantize),
 * from one settings group.
 */
import { useResultRows } from '../lib/selectors';
import { Heatmap } from './Heatmap';
import { Panel, useChartHeight } from './Panel';
import { pruneQuantOf } from './shapes';
import { useGroup } from './use-group';

export const PRUNE_QUANT_WHAT = 'Each square is one model: pruned by the row\'s share, then quantized by the column\'s method; the number is its perplexity (lower is better).';

const NONE = 'not quantized';

export function PruneQuantPanel() {
  const rows = useResultRows();
  const choice = useGroup(rows);
  const height = useChartHeight();
  const cells = new Map<string, number>();
  const ratios = new Set<number>();
  const quants = new Set<string>();
  for (const p of choice.group?.points ?? []) {
    const pq = pruneQuantOf(p.row.variant?.spec);
    // a pruning method other than the first found would make two cells one: keep magnitude-like plain ones by their ratio
    if (!pq) continue;
    const q = pq.quant ?? NONE;
    ratios.add(pq.ratio);
    quants.add(q);
    cells.set(`${pq.ratio}|${q}`, p.eval.perplexity.ppl);
  }
  const rowKeys = [...ratios].sort((a, b) => a - b);
  const colKeys = [...quants].sort((a, b) => (a === NONE ? -1 : b === NONE ? 1 : a.localeCompare(b)));
  const values = [...cells.values()];
  const lo = Math.log(Math.min(...values));
  const hi = Math.log(Math.max(...values));
  const label = (r: number) => (r === 0 ? 'not pruned' : `pruned ${Math.round(r * 100)} %`);
  return (
    <Panel
      id="prune-quant" title="Prune × quantize" what={PRUNE_QUANT_WHAT} choice={choice}
      empty={ratios.size < 2 || quants.size < 2 ? 'Needs pruned and quantized variants (ideally both together): try the "Seed grid" preset.' : undefined}
    >
      <Heatmap
        rows={rowKeys.map(label)} cols={colKeys} height={height} rowTitle="pruning" colTitle="quantization"
        cell={(r, c) => {
          const ratio = rowKeys[rowKeys.map(label).indexOf(r)];
          const v = cells.get(`${ratio}|${c}`);
          return { value: v, text: v?.toFixed(v >= 1000 ? 0 : 1), title: v === undefined ? `${r}, ${c}: not measured` : `${r}, ${c}: perplexity ${v.toFixed(2)}` };
        }}
        t={(v) => (hi > lo ? (Math.log(v) - lo) / (hi - lo) : 0)}
        scaleText="perplexity: dark = low (good), yellow = high (log scale)"
      />
    </Panel>
  );
}
