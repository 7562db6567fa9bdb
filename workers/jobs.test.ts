import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Progress } from './api';
import { Job } from './jobs';

describe('Job ETA', () => {
  afterEach(() => vi.restoreAllMocks());
  const at = (ms: number) => vi.spyOn(performance, 'now').mockReturnValue(ms);

  it('a phase taken up again where it left off keeps its pace; one that counts from the start restarts; the ETA adds what unfinished phases have left', () => {
    const seen: Progress[] = [];
    const job = new Job('eta', (p) => void seen.push(p));
    at(0);
    job.progress('compress', 0, 10);
    at(10_000);
    job.progress('compress', 2, 10); // 5 s a layer
    at(10_000);
    job.progress('calibrate', 1, 2);
    at(70_000); // a minute of calibration
    job.progress('compress', 2, 10);
    at(75_000);
    // 15 s in compress over 3 layers: 35 s left, not the calibration's minute; plus the calibration's
    // own rest at its pace (1 of 2 done in 60 s: 60 s more)
    job.progress('compress', 3, 10);
    expect(seen.at(-1)!.etaS).toBeCloseTo(35 + 60, 6);
    at(75_000);
    job.progress('calibrate', 2, 2); // finished: nothing of it left
    at(75_000);
    job.progress('compress', 3, 10);
    expect(seen.at(-1)!.etaS).toBeCloseTo(35, 6);
    at(75_000);
    job.progress('evaluate', 0, 4);
    at(80_000);
    job.progress('compress', 1, 5); // counts from the start again: its clock restarts (0 s spent); evaluate has no pace yet
    expect(seen.at(-1)!.etaS).toBe(0);
  });
});
