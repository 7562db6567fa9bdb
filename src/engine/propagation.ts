/**
 * "Measure error propagation": every variant of the loaded model against the baseline, hidden state
 * after hidden state (LabApi.errorPropagation), on one backend, each call's results stored as they
 * come. The worker keeps 8 variants, so they go in calls of at most 8 (the base runs once a call).
 */
import type { Backend } from '../../workers/api';
import { useLab } from '../store';
import { modelKeyOf } from '../store/types';
import { bridge } from './lab';
import { toLabError } from './errors';
import { StoppableRun, variantsOf, workerModelId } from './model-jobs';

const lab = () => useLab.getState();
/** Variants per call: the worker keeps this many at once (workers/engine.ts MAX_VARIANTS). */
const PER_CALL = 8;
const run = new StoppableRun('propagation');

export interface PropagationAsk {
  backend: Backend;
  windows: number;
}

/** Measures every variant of the loaded model; `onStep` gets a line of progress. Resolves when done, cancelled or failed (failures become notices). */
export async function measureErrorPropagation(ask: PropagationAsk, onStep: (what: string) => void): Promise<void> {
  const model = lab().model;
  if (!model) return;
  const modelKey = modelKeyOf(model);
  run.begin();
  const variants = variantsOf(modelKey);
  const context = lab().settings.context;
  try {
    for (let i = 0; i < variants.length && !run.stopped; i += PER_CALL) {
      const group = variants.slice(i, i + PER_CALL);
      const part = variants.length > PER_CALL ? ` (${Math.floor(i / PER_CALL) + 1}/${Math.ceil(variants.length / PER_CALL)})` : '';
      const job = run.job(String(i));
      const made: { workerId: string; storedId: string; label: string }[] = [];
      for (const v of group) {
        if (run.stopped) return;
        onStep(`${v.label}: preparing the variant…`);
        made.push({ workerId: await workerModelId(v, model.id, modelKey, job), storedId: v.id, label: v.label });
      }
      const results = await bridge.errorPropagation(model.id, made.map((m) => m.workerId), { backend: ask.backend, windows: ask.windows, ...(context ? { context } : {}) }, job, (p) => {
        onStep(`${p.message ?? p.phase}${part}: ${p.done}/${p.total} runs${p.etaS !== undefined ? `, about ${Math.ceil(p.etaS)} s left` : ''}`);
      });
      lab().addPropagations(results.map((r) => {
        const m = made.find((x) => x.workerId === r.variantId)!;
        return { ...r, variantId: m.storedId, modelKey, variantLabel: m.label };
      }));
    }
  } catch (e) {
    const err = toLabError(e);
    if (err.code !== 'Cancelled' && !run.stopped) lab().notify({ kind: 'error', title: `Error propagation could not be measured: ${err.message}` });
  } finally {
    run.end();
  }
}

export const stopErrorPropagation = (): Promise<void> => run.stop();
