/**
 * Exports slice: the downloads asked for with a row's Export button, each shown as a job line
 * (progress, status, error) beside the run's queue. Not persisted: a download belongs to the tab
 * that asked for it, and a reload would have nothing to hand the zip to.
 */
import type { StateCreator } from 'zustand';
import type { Progress } from '../../workers/api';
import type { LabState } from './index';
import type { Job } from './types';

export interface ExportsSlice {
  exports: Job[];
  addExport: (j: Job) => void;
  patchExport: (id: string, p: Partial<Job>) => void;
  setExportProgress: (p: Progress) => void;
}

export const createExportsSlice: StateCreator<LabState, [], [], ExportsSlice> = (set) => ({
  exports: [],
  // the last few are enough to see what happened; older lines go
  addExport: (j) => set((s) => ({ exports: [...s.exports.slice(-4), j] })),
  patchExport: (id, p) => set((s) => ({ exports: s.exports.map((j) => (j.id === id ? { ...j, ...p } : j)) })),
  setExportProgress: (progress) =>
    set((s) => ({ exports: s.exports.map((j) => (j.id === progress.jobId && j.status === 'running' ? { ...j, progress } : j)) })),
});
