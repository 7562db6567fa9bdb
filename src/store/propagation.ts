/**
 * Error propagation results (LabApi.errorPropagation, the "Measure error propagation" action): per
 * model, variant and backend the relative hidden-state divergence after each block. A newer one
 * replaces the older; persisted with the other results (index.ts), cleared and deleted with them
 * (results.ts).
 */
import type { StateCreator } from 'zustand';
import type { ErrorPropagationResult } from '../../workers/api';
import type { LabState } from './index';

export interface StoredPropagation extends ErrorPropagationResult {
  modelKey: string;
  /** the variant's label at the time (baseline: 'baseline') */
  variantLabel: string;
}

export interface PropagationSlice {
  propagations: StoredPropagation[];
  addPropagations: (list: StoredPropagation[]) => void;
}

const same = (a: StoredPropagation, b: StoredPropagation) =>
  a.modelKey === b.modelKey && a.variantId === b.variantId && a.settings.backend === b.settings.backend;

export const createPropagationSlice: StateCreator<LabState, [], [], PropagationSlice> = (set) => ({
  propagations: [],
  addPropagations: (list) => set((s) => ({ propagations: [...s.propagations.filter((o) => !list.some((n) => same(o, n))), ...list] })),
});
