/**
 * Batch-scaling and decode speed figures (LabApi.prefillSpeed, LabApi.decodeSpeed) from the Speed
 * action, one record per model, variant, backend, kind (prefill at one batch, or decode) and
 * settings; a newer one replaces the older. Each is stored as soon as it is measured, persisted
 * with the other results (index.ts), cleared and deleted with them (results.ts).
 */
import type { StateCreator } from 'zustand';
import type { DecodeSpeedResult, PrefillSpeedResult } from '../../workers/api';
import type { LabState } from './index';

interface Stored {
  modelKey: string;
  /** the variant's label at the time (baseline: 'baseline') */
  variantLabel: string;
  /**
   * the form the figure ran as (lib/speed-form speedFormText: packed, dense f32, or simulated (f32)
   * when the EP refused the packed model and its f32 twin was timed), not how the variant is
   * stored; the field keeps its name so stored results still read (figures from before 1296739 hold
   * the storage, the same text unless an EP refused); absent on older figures
   */
  storage?: string;
  /**
   * the browser's memory for the page and its workers right after this figure, the last of its
   * model on its backend (Speed's "memory" option: performance.measureUserAgentSpecificMemory), or
   * why it is unknown; absent: not asked
   */
  memory?: { bytes: number; ms: number } | { unavailable: string };
}
export type StoredPrefillSpeed = PrefillSpeedResult & Stored & { kind: 'prefill' };
export type StoredDecodeSpeed = DecodeSpeedResult & Stored & { kind: 'decode' };
export type StoredScaling = StoredPrefillSpeed | StoredDecodeSpeed;

export interface ScalingSlice {
  scalings: StoredScaling[];
  addScaling: (r: StoredScaling) => void;
}

/** Same figure: same model, variant, kind and settings (backend and batch included). */
export const sameScaling = (a: StoredScaling, b: StoredScaling): boolean =>
  a.modelKey === b.modelKey && a.variantId === b.variantId && a.kind === b.kind && JSON.stringify(a.settings) === JSON.stringify(b.settings);

export const createScalingSlice: StateCreator<LabState, [], [], ScalingSlice> = (set) => ({
  scalings: [],
  addScaling: (r) => set((s) => ({ scalings: [...s.scalings.filter((o) => !sameScaling(o, r)), r] })),
});
