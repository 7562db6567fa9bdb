/**
 * Results slice: every finished variant, evaluation and interleaved speed figure. Persisted
 * (IndexedDB, see index.ts) so finished results survive a reload. A newer result replaces an older
 * one for the same model, variant (spec + kernel device) and backend, so re-running a variant
 * updates its row. Speed figures are only comparable within the interleaved rounds that timed them,
 * so a run's speed figures on a backend replace every older run's figures there.
 */
import type { StateCreator } from 'zustand';
import type { LabState } from './index';
import type { StoredEval, StoredSpeed, StoredVariant } from './types';
import { overridesKey } from '../../workers/variants/overrides';
import { storeWithPair } from './agreement';

export interface ResultsSlice {
  variants: StoredVariant[];
  evals: StoredEval[];
  speeds: StoredSpeed[];
  addVariant: (v: StoredVariant) => void;
  addEval: (e: StoredEval) => void;
  /** the figures of one compareSpeed call (one run, one backend) */
  addSpeeds: (list: StoredSpeed[]) => void;
  clearResults: () => void;
  /** one row of the table: a variant with its evaluations and speed figures, or the baseline's evaluations and speed */
  deleteResult: (modelKey: string, variantId: string) => void;
}

/** A spec's identity: method and options, then the second method's (a plain spec's key is as it always was). */
export const specKey = (v: Pick<StoredVariant, 'spec'>): string => {
  const { method, options = {}, then, blocks, overrides, embeddings, head } = v.spec;
  const own = `${method}:${JSON.stringify(options, Object.keys(options).sort())}`;
  // compressed in some blocks only (layer sensitivity): "rtn:{…}@blocks=2"
  // mixed precision: "int4-group:{…}{blocks=0,-1:int8-channel()}"
  const where = (blocks ? `@blocks=${blocks.join(',')}` : '') + overridesKey(overrides) + (embeddings ? '+embeddings' : '') + (head ? '+head' : '');
  return then ? `${own}+${specKey({ spec: then })}${where}` : own + where;
};

const sameVariant = (a: StoredVariant, b: StoredVariant) =>
  a.modelKey === b.modelKey && a.device === b.device && specKey(a) === specKey(b);

export const createResultsSlice: StateCreator<LabState, [], [], ResultsSlice> = (set) => ({
  variants: [],
  evals: [],
  speeds: [],
  addVariant: (v) =>
    set((s) => {
      const replaced = s.variants.filter((o) => sameVariant(o, v)).map((o) => o.id);
      return {
        variants: [...s.variants.filter((o) => !replaced.includes(o.id)), v],
        evals: s.evals.filter((e) => !replaced.includes(e.variantId)),
        speeds: s.speeds.filter((e) => !replaced.includes(e.variantId)),
      };
    }),
  // backend agreement is put on both results of the WebGPU/WASM pair (agreement.ts)
  addEval: (e) => set((s) => ({ evals: storeWithPair(s.evals, e) })),
  addSpeeds: (list) =>
    set((s) => {
      const older = (o: StoredSpeed) =>
        list.some((n) => n.modelKey === o.modelKey && n.backend === o.backend && (n.runId !== o.runId || n.variantId === o.variantId));
      return { speeds: [...s.speeds.filter((o) => !older(o)), ...list] };
    }),
  clearResults: () => set({ variants: [], evals: [], speeds: [], classifications: [], generations: [], scalings: [], propagations: [] }),
  deleteResult: (modelKey, variantId) =>
    set((s) => {
      const mine = (o: { modelKey: string; variantId?: string; id?: string }) => o.modelKey === modelKey && (o.variantId ?? o.id) === variantId;
      return { variants: s.variants.filter((v) => !mine(v)), evals: s.evals.filter((e) => !mine(e)), speeds: s.speeds.filter((e) => !mine(e)), classifications: s.classifications.filter((c) => !mine(c)), generations: s.generations.filter((g) => !mine(g)), scalings: s.scalings.filter((x) => !mine(x)), propagations: s.propagations.filter((x) => !mine(x)) };
    }),
});
