/**
 * Which packed forms each onnxruntime-web 1.30 execution provider really runs: the one table the
 * lab reads to choose a packed form or "simulated (f32)". It is not an assumption: e2e/packed.spec.ts
 * ("each EP runs exactly the forms EP_RUNS says") runs one tiny graph per form (ep-probe.ts) on
 * both EPs in Chromium, compares each output with the f32 maths, and asserts this table equals
 * what the EPs did. 'wrong' = the session ran but its output was not the maths (a silent error).
 */
import type { Backend } from '../api';

export const FORM_IDS = Object.freeze([
  'nbits2', 'nbits2-nozp', 'nbits3', 'nbits3-nozp', 'nbits4', 'nbits4-nozp', 'nbits8', 'nbits8-nozp',
  'qdq-int8', 'fp16-cast', 'nbits4-input-scale', 'bnb4-nf4', 'gbq2', 'gbq4', 'gbq8',
] as const);
export type FormId = (typeof FORM_IDS)[number];

/** true = runs and computes the f32 maths; otherwise what happened (e2e/packed.spec.ts, Chromium, onnxruntime-web 1.30.0, WebGPU on SwiftShader). */
export type EpVerdict = true | 'refused' | 'wrong';

export const EP_RUNS: Readonly<Record<FormId, Readonly<Record<Backend, EpVerdict>>>> = Object.freeze({
  'nbits2': { wasm: true, webgpu: true },
  'nbits2-nozp': { wasm: true, webgpu: true },
  'nbits3': { wasm: 'refused', webgpu: 'refused' },
  'nbits3-nozp': { wasm: 'refused', webgpu: 'refused' },
  'nbits4': { wasm: true, webgpu: true },
  'nbits4-nozp': { wasm: true, webgpu: true },
  'nbits8': { wasm: true, webgpu: true },
  'nbits8-nozp': { wasm: true, webgpu: true },
  'qdq-int8': { wasm: true, webgpu: true },
  'fp16-cast': { wasm: true, webgpu: true },
  'nbits4-input-scale': { wasm: true, webgpu: true },
  'bnb4-nf4': { wasm: true, webgpu: true },
  'gbq2': { wasm: true, webgpu: true },
  'gbq4': { wasm: true, webgpu: true },
  'gbq8': { wasm: true, webgpu: true },
});

/** Whether `backend` runs a form. */
export const epRuns = (id: FormId, backend: Backend): boolean => EP_RUNS[id][backend] === true;
