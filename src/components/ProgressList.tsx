/** The queue of the current run: one line per job, a bar with phase, done/total and ETA for the running one. */
import { useEffect, useState } from 'react';
import { useLab } from '../store';
import type { Job } from '../store/types';
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

function JobLine({ job, now }: { job: Job; now: number }) {
  const p = job.progress;
  const frac = job.status === 'done' ? 1 : p && p.total > 0 ? p.done / p.total : 0;
  const left = job.status === 'running' ? eta(job, now) : undefined;
  const took = job.startedAt && job.endedAt ? (job.endedAt - job.startedAt) / 1000 : undefined;
  const elapsed = job.status === 'running' && job.startedAt ? (now - job.startedAt) / 1000 : undefined;
  return (
    <li className={`job ${job.status}`} data-status={job.status} data-testid="job">
      <span className="job-label">{job.label}</span>
      <span className="bar"><span style={{ width: `${(frac * 100).toFixed(1)}%` }} /></span>
      <span className="job-status">
        {job.status === 'running' && p ? `${p.phase} ${p.done}/${p.total}` : job.status}
        {job.status === 'running' && ` · ${duration(elapsed) ?? ''} · ETA ${left !== undefined ? duration(left) : '—'}`}
        {job.status === 'done' && took !== undefined && ` in ${duration(took)}`}
        {job.error && job.status !== 'done' && <span className="muted" title={job.error}> — {job.error}</span>}
      </span>
    </li>
  );
}

export function ProgressList() {
  const jobs = useLab((s) => s.jobs);
  const running = useLab((s) => s.running);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [running]);
  if (jobs.length === 0) return null;
  const done = jobs.filter((j) => j.status === 'done').length;
  return (
    <section className="card" data-testid="progress" data-running={running}>
      <h2>Run <span className="muted small">{done}/{jobs.length} jobs done{running ? '' : ' · finished'}</span></h2>
      <ul className="jobs">{jobs.map((j) => <JobLine key={j.id} job={j} now={now} />)}</ul>
    </section>
  );
}
