/**
 * Long calls are jobs: they report progress (with an ETA from the pace so far) through the
 * comlink-proxied callback and check for cancellation between steps. `cancel(jobId)` may come
 * before the job starts; the job then stops at its first check.
 */
import type { Progress, ProgressFn } from './api';
import { labError } from './errors';
import { nextTask } from './next-task';

const cancelled = new Set<string>();

export function cancelJob(jobId: string): void {
  cancelled.add(jobId);
}

export class Job {
  private phase = '';
  private phaseStart = 0;
  /** per phase left for another: time spent in it and how far it got, so a phase taken up again goes on from there */
  private paused = new Map<string, { ms: number; done: number; total: number }>();
  private lastDone = 0;
  private lastTotal = 0;

  constructor(
    readonly id: string,
    private readonly onProgress?: ProgressFn,
  ) {}

  /** Throws Error{name:'Cancelled'} if cancel(jobId) was called. */
  check(): void {
    if (cancelled.has(this.id)) throw labError('Cancelled', `job ${this.id} was cancelled`);
  }

  /**
   * Lets queued messages in (a cancel call arrives as one: ORT runs can finish without ever
   * yielding to the event loop), then checks. Use between steps.
   */
  async checkpoint(): Promise<void> {
    await nextTask();
    this.check();
  }

  /**
   * Reports progress; the ETA comes from the pace within the phase. A phase taken up again where it
   * left off (GPTQ's layers between calibration passes) keeps the time it had spent; one that counts
   * from the start again restarts. The ETA is the job's: the phases left unfinished for this one
   * add what they still have to do at their own pace (GPTQ on the 124 M shape: the calibration
   * passes still to come beside the layers still to compress). Never throws (the UI may be gone).
   */
  progress(phase: string, done: number, total: number, message?: string): void {
    const now = performance.now();
    if (phase !== this.phase) {
      if (this.phase) this.paused.set(this.phase, { ms: now - this.phaseStart, done: this.lastDone, total: this.lastTotal }); // phaseStart already counts its earlier stints
      const left = this.paused.get(phase);
      this.phase = phase;
      this.phaseStart = now - (left && done >= left.done ? left.ms : 0);
      this.paused.delete(phase);
    }
    this.lastDone = done;
    this.lastTotal = total;
    const elapsedS = (now - this.phaseStart) / 1000;
    let etaS = done > 0 && total >= done ? (elapsedS / done) * (total - done) : undefined;
    for (const left of this.paused.values()) {
      if (etaS !== undefined && left.done > 0 && left.total > left.done) etaS += (left.ms / 1000 / left.done) * (left.total - left.done);
    }
    const p: Progress = { jobId: this.id, phase, done, total, etaS, message };
    try {
      void Promise.resolve(this.onProgress?.(p)).catch(() => {});
    } catch {
      /* a dead callback must not stop the job */
    }
  }

  /** Forget the cancel flag once the job has ended (either way). */
  end(): void {
    cancelled.delete(this.id);
  }
}

/** Runs `fn` as a job and always clears its flag. */
export async function runJob<T>(jobId: string, onProgress: ProgressFn | undefined, fn: (job: Job) => Promise<T>): Promise<T> {
  const job = new Job(jobId, onProgress);
  try {
    job.check();
    return await fn(job);
  } finally {
    job.end();
  }
}
