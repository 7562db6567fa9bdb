/**
 * A variant row's Export button (data-testid "export-button", one per variant row; find a row's
 * by scoping to its result-row, e.g. by data-variant). Downloads the variant as a model folder zip;
 * progress and errors show in the export list beside the run's queue.
 */
import { exportBlocker, exportVariant } from '../engine/export';
import { useLab } from '../store';
import type { StoredVariant } from '../store/types';

export function ExportButton({ v }: { v: StoredVariant }) {
  // re-render when what blocks an export changes
  useLab((s) => s.running);
  useLab((s) => s.loading);
  useLab((s) => s.model);
  useLab((s) => s.exports);
  const why = exportBlocker(v);
  return (
    <button className="small" onClick={() => void exportVariant(v)} disabled={!!why} title={why ?? 'download this variant as a model folder zip (config, tokenizer, onnx/model.onnx, MODEL_CARD.md)'} data-testid="export-button">
      Export zip
    </button>
  );
}
