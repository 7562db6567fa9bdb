/**
 * Results slice: every finished variant and evaluation. Persisted (IndexedDB, see index.ts) so
 * finished results survive a reload. A newer result replaces an older one for the same model,
 * variant (spec + kernel device) and backend, so re-running a variant updates its row.
 */
import type { StateCreator } from 'zustand';
import type { LabState } from './index';
import type { StoredEval, StoredVariant } from './types';

export interface ResultsSlice {
  variants: StoredVariant[];
  evals: StoredEval[];
  addVariant: (v: StoredVariant) => void;
  addEval: (e: StoredEval) => void;
  clearResults: () => void;
}

export const specKey = (v: Pick<StoredVariant, 'spec'>): string =>
  `${v.spec.method}:${JSON.stringify(v.spec.options, Object.keys(v.spec.options).sort())}`;

const sameVariant = (a: StoredVariant, b: StoredVariant) =>
  a.modelKey === b.modelKey && a.device === b.device && specKey(a) === specKey(b);

export const createResultsSlice: StateCreator<LabState, [], [], ResultsSlice> = (set) => ({
  variants: [],
  evals: [],
  addVariant: (v) =>
    set((s) => {
      const replaced = s.variants.filter((o) => sameVariant(o, v)).map((o) => o.id);
      return {
        variants: [...s.variants.filter((o) => !replaced.includes(o.id)), v],
        evals: s.evals.filter((e) => !replaced.includes(e.variantId)),
      };
    }),
  addEval: (e) =>
    set((s) => ({
      evals: [
        ...s.evals.filter(
          (o) => !(o.modelKey === e.modelKey && o.variantId === e.variantId && o.settings.backend === e.settings.backend),
        ),
        e,
      ],
    })),
  clearResults: () => set({ variants: [], evals: [] }),
});
