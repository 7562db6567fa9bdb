/** The queue of the current run: one line per job, a bar with phase, done/total and ETA for the running one. */
import { useEffect, useState } from 'react';
import { rerun, rerunBlocker, retryJob } from '../engine/lab';
import { useLab } from '../store';
import { RERUNNABLE, type Job } from '../store/types';
import { duration } from '../lib/format';

/** ETA from the engine, or from the pace so far when it gives none. */
function eta(job: Job, now: number): number | undefined {
  const p = job.progress;
  if (!p) return undefined;
  if (p.etaS !== undefined) return p.etaS;
  if (!job.startedAt || p.done <= 0 || p.total <= 0) return undefined;
  const elapsed = (now - job.startedAt) / 1000;
  return (elapsed / p.done) * (p.total - p.done);
}

/**
 * testId: 'job' for the run's queue, another for lines that are not the run's (exports), so tests counting jobs see only the queue.
 * retry: given on a failed line of the run when it can run again now (a Retry button).
 */
export function JobLine({ job, now, testId = 'job', retry }: { job: Job; now: number; testId?: string; retry?: () => void }) {
  const p = job.progress;
  const frac = job.status === 'done' ? 1 : p && p.total > 0 ? p.done / p.total : 0;
  const left = job.status === 'running' ? eta(job, now) : undefined;
  const took = job.startedAt && job.endedAt ? (job.endedAt - job.startedAt) / 1000 : undefined;
  const elapsed = job.status === 'running' && job.startedAt ? Math.max(0, now - job.startedAt) / 1000 : undefined;
  return (
    <li className={`job ${job.status}`} data-status={job.status} data-testid={testId}>
      <span className="job-label">{job.label}</span>
      <span className="bar"><span style={{ width: `${(frac * 100).toFixed(1)}%` }} /></span>
      <span className="job-status">
        {job.status === 'running' && p ? `${p.phase} ${p.done}/${p.total}` : job.status}
        {/* before the reason: a long reason is cut at the line's end */}
        {retry && job.status === 'failed' && <> <button className="link small" onClick={retry} data-testid="job-retry" aria-label={`Retry ${job.label}`}>Retry</button></>}
        {job.status === 'running' && ` · ${duration(elapsed) ?? ''} · ETA ${left !== undefined ? duration(left) : '—'}`}
        {job.status === 'done' && took !== undefined && ` in ${duration(took)}`}
        {job.error && job.status !== 'done' && <span className="muted" title={job.error} data-testid="job-error"> — {job.error}</span>}
        {job.note && <span className="muted" title={job.note} data-testid="job-note"> ({job.note})</span>}
      </span>
    </li>
  );
}

export function ProgressList() {
  const jobs = useLab((s) => s.jobs);
  const running = useLab((s) => s.running);
  const cancelling = useLab((s) => s.cancelling);
  // re-render when what blocks a re-run changes
  useLab((s) => s.model);
  useLab((s) => s.loading);
  useLab((s) => s.lastRun);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    setNow(Date.now());
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [running]);
  if (jobs.length === 0) return null;
  const done = jobs.filter((j) => j.status === 'done').length;
  const unfinished = jobs.filter((j) => RERUNNABLE.includes(j.status)).length;
  const interrupted = jobs.some((j) => j.status === 'interrupted');
  const blocker = running ? undefined : rerunBlocker();
  return (
    <section className="card" data-testid="progress" data-running={running} data-cancelling={cancelling}>
      <h2>Run <span className="muted small">{done}/{jobs.length} jobs done{cancelling ? ' · cancelling…' : running ? '' : ' · finished'}</span></h2>
      {!running && interrupted && (
        <p className="muted small" data-testid="interrupted-note">The page was reloaded or closed during this run; finished results were kept.</p>
      )}
      {/* focusable: a keyboard user can scroll a long queue (axe: scrollable-region-focusable) */}
      <ul className="jobs" tabIndex={0} aria-label="jobs of the run">{jobs.map((j) => <JobLine key={j.id} job={j} now={now} retry={running || blocker ? undefined : () => void retryJob(j.id)} />)}</ul>
      {!running && unfinished > 0 && (
        <div className="run-controls">
          <button onClick={() => void rerun()} disabled={!!blocker} title={blocker} data-testid="rerun-button">
            Re-run {unfinished} unfinished job{unfinished === 1 ? '' : 's'}
          </button>
          {blocker && <span className="muted">{blocker}</span>}
        </div>
      )}
    </section>
  );
}
