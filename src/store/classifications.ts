/**
 * Classifier reports (LabApi.classify), one per model, variant, backend and examples file; a newer one replaces
 * the older. Persisted with the other results (index.ts), cleared and deleted with them.
 */
import type { StateCreator } from 'zustand';
import type { ClassificationResult } from '../../workers/api';
import type { LabState } from './index';

export interface StoredClassification extends ClassificationResult {
  modelKey: string;
  /** the variant's label at the time (baseline: 'baseline') */
  variantLabel: string;
}

export interface ClassificationsSlice {
  classifications: StoredClassification[];
  addClassification: (c: StoredClassification) => void;
}

export const createClassificationsSlice: StateCreator<LabState, [], [], ClassificationsSlice> = (set) => ({
  classifications: [],
  addClassification: (c) =>
    set((s) => ({
      classifications: [
        ...s.classifications.filter((o) => !(o.modelKey === c.modelKey && o.variantId === c.variantId && o.settings.backend === c.settings.backend && o.dataset === c.dataset)),
        c,
      ],
    })),
});
