/** Experiments slice: the settings of the next run and the queue of jobs of the current one. */
import type { StateCreator } from 'zustand';
import type { Progress } from '../../workers/api';
import type { LabState } from './index';
import { DEFAULT_SETTINGS, type Job, type JobStatus, type LastRun, type RunSettings } from './types';

export interface ExperimentsSlice {
  settings: RunSettings;
  jobs: Job[];
  running: boolean;
  /** cancel was pressed and the running job is being stopped */
  cancelling: boolean;
  /** persisted with the jobs: what the last run used, so it can be re-run after a reload */
  lastRun?: LastRun;
  patchSettings: (p: Partial<RunSettings>) => void;
  setJobs: (jobs: Job[]) => void;
  setRunning: (running: boolean) => void;
  setCancelling: (cancelling: boolean) => void;
  setLastRun: (r: LastRun) => void;
  patchJob: (id: string, p: Partial<Job>) => void;
  setProgress: (p: Progress) => void;
  /** mark every job that has not started (or still runs) with `status` */
  closeOpenJobs: (status: JobStatus, error?: string) => void;
}

export const createExperimentsSlice: StateCreator<LabState, [], [], ExperimentsSlice> = (set) => ({
  settings: DEFAULT_SETTINGS,
  jobs: [],
  running: false,
  cancelling: false,
  patchSettings: (p) => set((s) => ({ settings: { ...s.settings, ...p } })),
  setJobs: (jobs) => set({ jobs }),
  setRunning: (running) => set({ running }),
  setCancelling: (cancelling) => set({ cancelling }),
  setLastRun: (lastRun) => set({ lastRun }),
  patchJob: (id, p) => set((s) => ({ jobs: s.jobs.map((j) => (j.id === id ? { ...j, ...p } : j)) })),
  setProgress: (progress) =>
    set((s) => ({ jobs: s.jobs.map((j) => (j.id === progress.jobId && j.status === 'running' ? { ...j, progress } : j)) })),
  closeOpenJobs: (status, error) =>
    set((s) => ({
      jobs: s.jobs.map((j) =>
        j.status === 'queued' || j.status === 'running' ? { ...j, status, error, endedAt: Date.now() } : j,
      ),
    })),
});
