/** The exports asked for in this tab, each a job line (progress, how long, the file or the error), like the run's jobs. */
import { useLab } from '../store';
import { JobLine } from './ProgressList';

export function ExportList() {
  const exports = useLab((s) => s.exports);
  if (exports.length === 0) return null;
  const now = Date.now();
  return (
    <section className="card" data-testid="exports">
      <h2>Exports <span className="muted small">model folder zips (config, tokenizer, onnx/model.onnx, MODEL_CARD.md, lab-variant.json)</span></h2>
      <ul className="jobs" tabIndex={0} aria-label="exports">{exports.map((j) => <JobLine key={j.id} job={j} now={now} testId="export-job" />)}</ul>
    </section>
  );
}
