/**
 * Generated continuations (LabApi.generate), one per model, variant, backend and prompt setup; a
 * newer one replaces the older. Persisted with the other results (index.ts).
 */
import type { StateCreator } from 'zustand';
import type { GenerationResult } from '../../workers/api';
import type { LabState } from './index';

export interface StoredGeneration extends GenerationResult {
  modelKey: string;
  /** the variant's label at the time (baseline: 'baseline') */
  variantLabel: string;
}

export interface GenerationsSlice {
  generations: StoredGeneration[];
  addGeneration: (g: StoredGeneration) => void;
}

const sameSetup = (a: StoredGeneration, b: StoredGeneration) =>
  a.modelKey === b.modelKey && a.variantId === b.variantId && a.settings.backend === b.settings.backend;

export const createGenerationsSlice: StateCreator<LabState, [], [], GenerationsSlice> = (set) => ({
  generations: [],
  addGeneration: (g) => set((s) => ({ generations: [...s.generations.filter((o) => !sameSetup(o, g)), g] })),
});
