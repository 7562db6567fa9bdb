/**
 * The one store, built from typed slices. Persistence is applied once, here, on the combined
 * store: only the results slice (finished variants and evaluations) goes to IndexedDB.
 */
import { create } from 'zustand';
import { createJSONStorage, persist, type StateStorage } from 'zustand/middleware';
import { del, get, set } from 'idb-keyval';
import { createModelsSlice, type ModelsSlice } from './models';
import { createExperimentsSlice, type ExperimentsSlice } from './experiments';
import { createResultsSlice, type ResultsSlice } from './results';
import { createUiSlice, type UiSlice } from './ui';

export type LabState = ModelsSlice & ExperimentsSlice & ResultsSlice & UiSlice;

const idbStorage: StateStorage = {
  getItem: async (name) => (await get<string>(name)) ?? null,
  setItem: (name, value) => set(name, value),
  removeItem: (name) => del(name),
};

export const useLab = create<LabState>()(
  persist(
    (...a) => ({
      ...createModelsSlice(...a),
      ...createExperimentsSlice(...a),
      ...createResultsSlice(...a),
      ...createUiSlice(...a),
    }),
    {
      name: 'compression-lab-results',
      version: 1,
      storage: createJSONStorage(() => idbStorage),
      partialize: (s) => ({ variants: s.variants, evals: s.evals }),
    },
  ),
);
