/**
 * The one store, built from typed slices. Persistence is applied once, here, on the combined
 * store: the results slice (finished variants, evaluations, speed figures) and the last run's queue go to
 * IndexedDB. A job that was queued or running when the page went away comes back 'interrupted',
 * ready to be re-run with one click. When IndexedDB is unavailable or full the lab keeps its
 * results in memory and says they will not persist (ui.storageProblem).
 */
import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import { coalescedJsonStorage } from './coalesced-storage';
import { createModelsSlice, type ModelsSlice } from './models';
import { createExperimentsSlice, type ExperimentsSlice } from './experiments';
import { createResultsSlice, type ResultsSlice } from './results';
import { createUiSlice, type UiSlice } from './ui';
import { createExportsSlice, type ExportsSlice } from './exports';
import { createClassificationsSlice, type ClassificationsSlice } from './classifications';
import { createGenerationsSlice, type GenerationsSlice } from './generations';
import { createScalingSlice, type ScalingSlice } from './scaling';
import { createPropagationSlice, type PropagationSlice } from './propagation';
import { safeIdbStorage } from './storage';
import { migrateSettings } from './settings';
import { relabelStoredForms } from './stored-forms';
import type { Job } from './types';

export type LabState = ModelsSlice & ExperimentsSlice & ResultsSlice & UiSlice & ExportsSlice & ClassificationsSlice & GenerationsSlice & ScalingSlice & PropagationSlice;

type Persisted = Pick<LabState, 'variants' | 'evals' | 'speeds' | 'jobs' | 'lastRun' | 'classifications' | 'generations' | 'scalings' | 'propagations'>;

/** Jobs as stored: without live progress. */
const storedJob = ({ progress: _progress, ...j }: Job): Job => j;

/** After a reload nothing runs: what was queued or running was interrupted. */
export function interruptOpenJobs(jobs: Job[]): Job[] {
  return jobs.map((j) =>
    j.status === 'running'
      ? { ...j, status: 'interrupted', error: 'interrupted: the page was reloaded or closed while it ran', endedAt: j.endedAt ?? Date.now() }
      : j.status === 'queued'
        ? { ...j, status: 'interrupted', error: 'not started: the page was reloaded or closed before its turn' }
        : j,
  );
}

// deferred: the first problem can be found while the store is still being created
const storage = safeIdbStorage((why) => setTimeout(() => useLab.getState().setStorageProblem(why), 0));

export const useLab = create<LabState>()(
  persist(
    (...a) => ({
      ...createModelsSlice(...a),
      ...createExperimentsSlice(...a),
      ...createResultsSlice(...a),
      ...createUiSlice(...a),
      ...createExportsSlice(...a),
      ...createClassificationsSlice(...a),
      ...createGenerationsSlice(...a),
      ...createScalingSlice(...a),
      ...createPropagationSlice(...a),
    }),
    {
      name: 'compression-lab-results',
      version: 1,
      storage: coalescedJsonStorage<Persisted>(storage),
      partialize: (s): Persisted => ({ variants: s.variants, evals: s.evals, speeds: s.speeds, classifications: s.classifications, generations: s.generations, scalings: s.scalings, propagations: s.propagations, jobs: s.jobs.map(storedJob), lastRun: s.lastRun }),
      merge: (persisted, current) => {
        const p = (persisted ?? {}) as Partial<Persisted>;
        // a run started before the stored state arrived keeps its own queue
        const jobs = current.running || !Array.isArray(p.jobs) ? current.jobs : interruptOpenJobs(p.jobs);
        const variants = Array.isArray(p.variants) ? p.variants : current.variants;
        return {
          ...current,
          variants,
          // results stored before 3-bit variants said 'simulated' (stored-forms.ts)
          evals: Array.isArray(p.evals) ? relabelStoredForms(p.evals, variants) : current.evals,
          speeds: Array.isArray(p.speeds) ? relabelStoredForms(p.speeds, variants) : current.speeds,
          classifications: Array.isArray(p.classifications) ? p.classifications : current.classifications,
          generations: Array.isArray(p.generations) ? relabelStoredForms(p.generations, variants) : current.generations,
          scalings: Array.isArray(p.scalings) ? p.scalings : current.scalings,
          propagations: Array.isArray(p.propagations) ? p.propagations : current.propagations,
          jobs,
          // a last run stored by an older version has the method flags instead of the variant list
          lastRun: current.running ? current.lastRun : p.lastRun ? { ...p.lastRun, settings: migrateSettings(p.lastRun.settings).settings } : current.lastRun,
        };
      },
    },
  ),
);
