// Speed figures are only comparable within the interleaved rounds that timed them: a run's figures
// on a backend replace every older run's figures there (other backends and models stay), and a
// variant made again drops its old figures with its evaluations.
import { describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { createResultsSlice, type ResultsSlice } from './results';
import type { StoredSpeed, StoredVariant } from './types';

const store = () => createStore<ResultsSlice>()((...a) => createResultsSlice(...(a as unknown as Parameters<typeof createResultsSlice>)));
const speed = (variantId: string, runId: string, backend: 'wasm' | 'webgpu' = 'wasm', modelKey = 'm'): StoredSpeed =>
  ({ variantId, runId, backend, modelKey } as StoredSpeed);

describe('addSpeeds', () => {
  it('replaces older runs on the same model and backend only', () => {
    const s = store();
    s.getState().addSpeeds([speed('baseline', 'r1'), speed('a', 'r1')]);
    s.getState().addSpeeds([speed('baseline', 'r1', 'webgpu'), speed('baseline', 'r1', 'wasm', 'other')]);
    s.getState().addSpeeds([speed('baseline', 'r2'), speed('b', 'r2')]);
    const left = s.getState().speeds.map((x) => `${x.modelKey}/${x.backend}/${x.variantId}/${x.runId}`).sort();
    expect(left).toEqual(['m/wasm/b/r2', 'm/wasm/baseline/r2', 'm/webgpu/baseline/r1', 'other/wasm/baseline/r1']);
  });

  it('keeps a run\'s groups together and lets a re-timed model replace itself', () => {
    const s = store();
    s.getState().addSpeeds([speed('baseline', 'r1'), speed('a', 'r1')]);
    s.getState().addSpeeds([speed('baseline', 'r1'), speed('b', 'r1')]);
    expect(s.getState().speeds.map((x) => x.variantId).sort()).toEqual(['a', 'b', 'baseline']);
  });

  it('a variant made again drops its figures', () => {
    const s = store();
    const v = { id: 'a', modelKey: 'm', device: 'cpu', spec: { method: 'int8-channel', options: {} } } as unknown as StoredVariant;
    s.getState().addVariant(v);
    s.getState().addSpeeds([speed('baseline', 'r1'), speed('a', 'r1')]);
    s.getState().addVariant({ ...v, id: 'a2' });
    expect(s.getState().speeds.map((x) => x.variantId)).toEqual(['baseline']);
  });
});
