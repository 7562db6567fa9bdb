/** Run queues baseline + variants × backends, then the interleaved speed comparisons; Cancel stops the running job within about a second. */
import { cancel, run } from '../engine/lab';
import { planJobs } from '../lib/plan';
import { runSettingsProblem } from '../lib/run-settings-check';
import { useLab } from '../store';

export function RunControls() {
  const running = useLab((s) => s.running);
  const cancelling = useLab((s) => s.cancelling);
  const model = useLab((s) => s.model);
  const loading = useLab((s) => s.loading);
  const settings = useLab((s) => s.settings);
  const clear = useLab((s) => s.clearResults);
  const backends = settings.backends.length;
  // the plan itself, so the count includes the speed comparisons
  const jobs = backends === 0 ? 0 : planJobs(settings).length;
  const problem = model ? runSettingsProblem(settings, model) : undefined;
  const why = !model ? 'load a model first' : backends === 0 ? 'pick at least one backend' : loading ? 'a model is loading' : problem;
  return (
    <div className="run-controls">
      <button className="primary" onClick={() => void run()} disabled={running || !!why} title={why} data-testid="run-button">
        Run {jobs} jobs
      </button>
      <button onClick={() => void cancel()} disabled={!running || cancelling} data-testid="cancel-button">{cancelling ? 'Cancelling…' : 'Cancel'}</button>
      <button className="link" onClick={() => { if (confirm('Clear all stored results?')) clear(); }} disabled={running} data-testid="clear-results">
        Clear results
      </button>
      {why && <span className={problem === why ? 'warn-text' : 'muted'} role={problem === why ? 'alert' : undefined} data-testid="run-blocker">{why}</span>}
    </div>
  );
}
