/**
 * "Measure error propagation": every variant of the loaded model against the baseline, hidden state
 * after hidden state (LabApi.errorPropagation), on one backend, each call's results stored as they
 * come. The worker keeps 8 variants, so they go in calls of at most 8 (the base runs once a call);
 * variants the worker no longer holds are made again first (same spec, same kernels).
 */
import type { Backend } from '../../workers/api';
import { useLab } from '../store';
import { specKey } from '../store/results';
import { modelKeyOf } from '../store/types';
import { bridge, ensureVariant } from './lab';
import { toLabError } from './errors';

const lab = () => useLab.getState();
/** Variants per call: the worker keeps this many at once (workers/engine.ts MAX_VARIANTS). */
const PER_CALL = 8;
let current: string | undefined;
let stopped = false;

export interface PropagationAsk {
  backend: Backend;
  windows: number;
}

/** Measures every variant of the loaded model; `onStep` gets a line of progress. Resolves when done, cancelled or failed (failures become notices). */
export async function measureErrorPropagation(ask: PropagationAsk, onStep: (what: string) => void): Promise<void> {
  const model = lab().model;
  if (!model) return;
  const modelKey = modelKeyOf(model);
  stopped = false;
  const variants = lab().variants.filter((v) => v.modelKey === modelKey);
  const context = lab().settings.context;
  try {
    for (let i = 0; i < variants.length && !stopped; i += PER_CALL) {
      const group = variants.slice(i, i + PER_CALL);
      const part = variants.length > PER_CALL ? ` (${Math.floor(i / PER_CALL) + 1}/${Math.ceil(variants.length / PER_CALL)})` : '';
      current = `propagation-${Date.now().toString(36)}-${i}`;
      const made: { workerId: string; storedId: string; label: string }[] = [];
      for (const v of group) {
        if (stopped) return;
        onStep(`${v.label}: preparing the variant…`);
        const m = await ensureVariant(specKey(v), v.spec, v.device, model.id, modelKey, current, () => undefined, true);
        made.push({ workerId: m.id, storedId: v.id, label: v.label });
      }
      const results = await bridge.errorPropagation(model.id, made.map((m) => m.workerId), { backend: ask.backend, windows: ask.windows, ...(context ? { context } : {}) }, current, (p) => {
        onStep(`${p.message ?? p.phase}${part}: ${p.done}/${p.total} runs${p.etaS !== undefined ? `, about ${Math.ceil(p.etaS)} s left` : ''}`);
      });
      lab().addPropagations(results.map((r) => {
        const m = made.find((x) => x.workerId === r.variantId)!;
        return { ...r, variantId: m.storedId, modelKey, variantLabel: m.label };
      }));
    }
  } catch (e) {
    const err = toLabError(e);
    if (err.code !== 'Cancelled' && !stopped) lab().notify({ kind: 'error', title: `Error propagation could not be measured: ${err.message}` });
  } finally {
    current = undefined;
  }
}

export async function stopErrorPropagation(): Promise<void> {
  stopped = true;
  if (current) await bridge.cancel(current);
}
