/**
 * Prefill speed of several models compared fairly: each gets its own session and warm-up, then
 * the timed runs are interleaved (A B C A B C …, not all of A then all of B), so drift of the
 * machine (other load, thermal, GC) lands on every model alike. Each model reports its median,
 * its spread (p10–p90) and every run, so two models doing the same work can be seen to agree.
 */
import type { Backend, SpeedResult } from '../api';
import type { Job } from '../jobs';
import { closeSession, openSession, runLogits, type SessionHandle } from './ort-runtime';

export interface SpeedTarget {
  /** the caller's name for it, e.g. a variant id */
  id: string;
  /** session cache key; changes whenever the bytes change */
  key: string;
  getBytes: () => Uint8Array;
}

/** The measured part of a SpeedResult; the engine adds who and where. */
export type SpeedSample = { id: string } & Pick<SpeedResult, 'backend' | 'seqLen' | 'warmup' | 'runsMs' | 'medianMs' | 'p10Ms' | 'p90Ms' | 'tokensPerS'>;

export function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export async function interleavedSpeed(
  targets: readonly SpeedTarget[],
  backend: Backend,
  window: BigInt64Array,
  runs: number,
  warmup: number,
  job: Job,
): Promise<SpeedSample[]> {
  const sessions: SessionHandle[] = [];
  const total = targets.length * (warmup + runs);
  let done = 0;
  const times: number[][] = targets.map(() => []);
  try {
    // every session stays open for the whole comparison: a cache eviction mid-way would time a session start
    for (const t of targets) {
      await job.checkpoint();
      const s = await openSession(t.key, backend, t.getBytes);
      sessions.push(s);
      for (let i = 0; i < warmup; i++) {
        await runLogits(s, window);
        job.progress('speed', ++done, total, `warm-up ${t.id}`);
      }
    }
    for (let r = 0; r < runs; r++) {
      for (let i = 0; i < targets.length; i++) {
        await job.checkpoint();
        times[i].push((await runLogits(sessions[i], window)).ms);
        job.progress('speed', ++done, total, `run ${r + 1}/${runs}`);
      }
    }
  } finally {
    for (const s of sessions) await closeSession(s);
  }
  return targets.map((t, i) => {
    const sorted = [...times[i]].sort((a, b) => a - b);
    const medianMs = quantile(sorted, 0.5);
    return {
      id: t.id,
      backend,
      seqLen: window.length,
      warmup,
      runsMs: times[i],
      medianMs,
      p10Ms: quantile(sorted, 0.1),
      p90Ms: quantile(sorted, 0.9),
      tokensPerS: (window.length * 1000) / medianMs,
    };
  });
}
