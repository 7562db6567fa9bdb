/**
 * Per-layer heatmap of one variant: its linear weights as layers × blocks, coloured by the
 * per-tensor stat chosen (relative error, sparsity, SQNR, max abs error, bits per weight or the
 * calibration loss of a calibrated method), as the kernels measured them when
 * the variant was made. These are weight statistics: no evaluation settings apply.
 */
import { useState } from 'react';
import { useResultRows } from '../lib/selectors';
import type { TensorStats } from '../../workers/api';
import { Heatmap } from './Heatmap';
import { Panel, useChartHeight } from './Panel';
import { layerGrid } from './shapes';

export const LAYER_WHAT = 'Each square is one weight matrix of the chosen variant, placed by its layer (down) and its part of the block (across); the colour shows how much that matrix was changed.';

/** The calibration loss as the methods that have one compute it (TensorStats.calibrationLoss). */
export const CALIBRATION_LOSS_HOW = 'calibration loss = ½ Σ ‖(W−Ŵ)x‖² over the calibration tokens x (½ tr(ΔW H ΔWᵀ), H = Σ x xᵀ); GPTQ and SparseGPT on their dampened H. Wanda reports the diagonal estimate ½ Σ ΔW_ij² ‖X_j‖² (H reduced to its diagonal, the statistic Wanda calibrates), so its number is not the same quantity as the others\'. Only calibrated methods measure one (GPTQ, AWQ, SparseGPT, Wanda); uncalibrated methods have none. Compare it between variants of one layer, not between layers: it grows with the layer\'s input size.';

interface Metric {
  label: string;
  /** undefined: the tensor has no such number (`none` says why) */
  of: (t: TensorStats) => number | undefined;
  text: (v: number) => string;
  scale: string;
  /**
   * `zero`: the colour scale starts at 0 (and sparsity ends at 1), so near-equal tensors look
   * near-equal instead of a 0.077 … 0.082 spread filling the whole scale.
   */
  zero: boolean;
  one?: boolean;
  none?: string;
  /** what the number is, under the heatmap, where the label cannot say it all */
  how?: string;
}

const sig = (v: number) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toPrecision(3));

/** Issue 9's per-tensor stats: sparsity, relative error, SQNR, max abs error, bits per weight, calibration loss. */
export const LAYER_METRICS: Record<string, Metric> = {
  error: { label: 'relative error ‖W−Ŵ‖/‖W‖', of: (t) => t.relFrobeniusError, text: (v) => v.toFixed(3), scale: 'relative error: dark = small, yellow = large', zero: true },
  sparsity: { label: 'sparsity (share of zeros)', of: (t) => t.sparsity, text: (v) => `${(v * 100).toFixed(0)}%`, scale: 'sparsity: dark = few zeros, yellow = many', zero: true, one: true },
  sqnr: { label: 'SQNR dB (higher = closer)', of: (t) => t.sqnrDb, text: (v) => v.toFixed(1), scale: 'SQNR: dark = low (far from the original), yellow = high', zero: false },
  maxAbs: { label: 'max abs error max|W−Ŵ|', of: (t) => t.maxAbsError, text: sig, scale: 'max abs error: dark = small, yellow = large', zero: true, none: 'not recorded (the variant was made before max abs error was kept): re-run it' },
  bits: { label: 'bits per weight (with scales and zero points)', of: (t) => t.bitsPerWeight, text: (v) => v.toFixed(2), scale: 'bits per weight: dark = few, yellow = many', zero: true },
  calibrationLoss: {
    label: 'calibration loss ½‖(W−Ŵ)X‖² (calibrated methods; Wanda: diagonal estimate)', of: (t) => t.calibrationLoss, text: sig, scale: 'calibration loss: dark = small, yellow = large', zero: true,
    none: 'none: this method has no calibration loss (GPTQ, AWQ, SparseGPT and Wanda measure one)', how: CALIBRATION_LOSS_HOW,
  },
};

/** One square of the heatmap: the tensor's number, or "—" and why it has none. */
export function metricCell(m: Metric, t: TensorStats): { value?: number; text?: string; title: string } {
  const v = m.of(t);
  const weights = `${t.params.toLocaleString('en-US')} weights`;
  if (v === undefined || !Number.isFinite(v)) return { title: `${t.name}: ${m.label} unknown, ${m.none ?? 'not measured'} (${weights})` };
  return { value: v, text: m.text(v), title: `${t.name}: ${m.label} ${m.text(v)} (${weights})` };
}

export function LayerPanel() {
  const rows = useResultRows().filter((r) => r.variant && r.variant.tensors.length > 0);
  const [chosen, setChosen] = useState<string>();
  const [metric, setMetric] = useState('error');
  const height = useChartHeight();
  const row = rows.find((r) => r.key === chosen) ?? rows[rows.length - 1];
  const m = LAYER_METRICS[metric];
  const grid = row ? layerGrid(row.variant!.tensors) : undefined;
  const values = grid ? grid.cells.map((c) => m.of(c.stats)).filter((v): v is number => v !== undefined && Number.isFinite(v)) : [];
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
          {Object.entries(LAYER_METRICS).map(([k, v]) => <option key={k} value={k}>{v.label}</option>)}
        </select></label>
      </div>
      {grid && (
        <Heatmap
          rows={grid.layers.map((l) => (/^\d+$/.test(l) ? `layer ${l}` : l))} cols={grid.blocks} height={height} rowTitle="layer" colTitle="weight matrix"
          cell={(r, c) => {
            const cell = grid.cells.find((x) => (/^\d+$/.test(x.layer) ? `layer ${x.layer}` : x.layer) === r && x.block === c);
            return cell ? metricCell(m, cell.stats) : {};
          }}
          t={(v) => (hi > lo ? (v - lo) / (hi - lo) : 0.5)}
          scaleText={values.length ? `${m.scale} (${m.text(lo)} … ${m.text(hi)})` : `${m.label}: unknown for every weight of this variant`}
        />
      )}
      {grid && values.length < grid.cells.length && m.none && (
        <p className="small muted" data-testid="layer-metric-none">{values.length ? `${grid.cells.length - values.length} of ${grid.cells.length}` : 'Every'} weight matrix shows —: {m.none}.</p>
      )}
      {grid && m.how && <p className="small muted" data-testid="layer-metric-how">{m.how}</p>}
      {/* weights the variant did not compress (the LM head unless opted in) have no square: say which and why */}
      {row?.variant?.leftFloat?.length ? (
        <p className="small" data-testid="layer-left-float">
          Left f32, not compressed: {row.variant.leftFloat.map((t) => `${t.name} (${t.params.toLocaleString('en-US')} weights; ${t.why})`).join('; ')}.
        </p>
      ) : null}
    </Panel>
  );
}
