/**
 * Per-layer heatmap of one variant: its linear weights as layers × blocks, coloured by the
 * per-tensor stat chosen (relative error, sparsity or SQNR), as the kernels measured them when
 * the variant was made. These are weight statistics: no evaluation settings apply.
 */
import { useState } from 'react';
import { useResultRows } from '../lib/selectors';
import type { TensorStats } from '../../workers/api';
import { Heatmap } from './Heatmap';
import { Panel, useChartHeight } from './Panel';
import { layerGrid } from './shapes';

export const LAYER_WHAT = 'Each square is one weight matrix of the chosen variant, placed by its layer (down) and its part of the block (across); the colour shows how much that matrix was changed.';

/**
 * `zero`: the colour scale starts at 0 (and sparsity ends at 1), so near-equal tensors look
 * near-equal instead of a 0.077 … 0.082 spread filling the whole scale.
 */
const METRICS: Record<string, { label: string; of: (t: TensorStats) => number; text: (v: number) => string; scale: string; zero: boolean; one?: boolean }> = {
  error: { label: 'relative error ‖W−Ŵ‖/‖W‖', of: (t) => t.relFrobeniusError, text: (v) => v.toFixed(3), scale: 'relative error: dark = small, yellow = large', zero: true },
  sparsity: { label: 'sparsity (share of zeros)', of: (t) => t.sparsity, text: (v) => `${(v * 100).toFixed(0)}%`, scale: 'sparsity: dark = few zeros, yellow = many', zero: true, one: true },
  sqnr: { label: 'SQNR dB (higher = closer)', of: (t) => t.sqnrDb, text: (v) => v.toFixed(1), scale: 'SQNR: dark = low (far from the original), yellow = high', zero: false },
};

export function LayerPanel() {
  const rows = useResultRows().filter((r) => r.variant && r.variant.tensors.length > 0);
  const [chosen, setChosen] = useState<string>();
  const [metric, setMetric] = useState('error');
  const height = useChartHeight();
  const row = rows.find((r) => r.key === chosen) ?? rows[rows.length - 1];
  const m = METRICS[metric];
  const grid = row ? layerGrid(row.variant!.tensors) : undefined;
  const values = grid ? grid.cells.map((c) => m.of(c.stats)).filter(Number.isFinite) : [];
  const lo = m.zero ? 0 : Math.min(...values);
  const hi = m.one ? 1 : Math.max(...values);
  return (
    <Panel
      id="layers" title="Per-layer error and sparsity" what={LAYER_WHAT}
      settings={row ? `${row.label}: per-tensor statistics measured when the variant was made (${row.variant!.device} kernels); no evaluation involved.` : undefined}
      empty={!row ? 'No variants yet: each variant made shows its weight matrices here.' : undefined}
    >
      <div className="row small">
        <label>variant <select value={row?.key} onChange={(e) => setChosen(e.target.value)} data-testid="layer-variant">
          {rows.map((r) => <option key={r.key} value={r.key}>{r.label}</option>)}
        </select></label>
        <label>colour by <select value={metric} onChange={(e) => setMetric(e.target.value)} data-testid="layer-metric">
          {Object.entries(METRICS).map(([k, v]) => <option key={k} value={k}>{v.label}</option>)}
        </select></label>
      </div>
      {grid && (
        <Heatmap
          rows={grid.layers.map((l) => (/^\d+$/.test(l) ? `layer ${l}` : l))} cols={grid.blocks} height={height} rowTitle="layer" colTitle="weight matrix"
          cell={(r, c) => {
            const cell = grid.cells.find((x) => (/^\d+$/.test(x.layer) ? `layer ${x.layer}` : x.layer) === r && x.block === c);
            if (!cell) return {};
            const v = m.of(cell.stats);
            return { value: v, text: m.text(v), title: `${cell.stats.name}: ${m.label} ${m.text(v)} (${cell.stats.params.toLocaleString('en-US')} weights)` };
          }}
          t={(v) => (hi > lo ? (v - lo) / (hi - lo) : 0.5)}
          scaleText={`${m.scale} (${m.text(lo)} … ${m.text(hi)})`}
        />
      )}
      {/* weights the variant did not compress (the LM head unless opted in) have no square: say which and why */}
      {row?.variant?.leftFloat?.length ? (
        <p className="small" data-testid="layer-left-float">
          Left f32, not compressed: {row.variant.leftFloat.map((t) => `${t.name} (${t.params.toLocaleString('en-US')} weights; ${t.why})`).join('; ')}.
        </p>
      ) : null}
    </Panel>
  );
}
