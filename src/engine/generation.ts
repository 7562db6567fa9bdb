/**
 * "Write with every model": the same prompt continued by the baseline and each variant of the
 * loaded model, one after another on one backend, each stored as it finishes.
 */
import type { Backend } from '../../workers/api';
import { useLab } from '../store';
import { modelKeyOf } from '../store/types';
import { bridge } from './lab';
import { toLabError } from './errors';
import { modelTargets, StoppableRun, workerModelId } from './model-jobs';

const lab = () => useLab.getState();
const run = new StoppableRun('generate');

export interface GenerateAsk {
  prompt: string;
  maxNewTokens: number;
  backend: Backend;
  temperature: number;
  seed: number;
}

export async function generateAll(ask: GenerateAsk, onStep: (what: string) => void): Promise<void> {
  const model = lab().model;
  if (!model) return;
  const modelKey = modelKeyOf(model);
  run.begin();
  for (const t of modelTargets(modelKey)) {
    if (run.stopped) break;
    const job = run.job(t.storedId);
    onStep(`${t.label}: ${t.variant ? 'preparing' : 'writing'}…`);
    try {
      const id = await workerModelId(t, model.id, modelKey, job);
      onStep(`${t.label}: writing…`);
      const settings = { backend: ask.backend, prompt: ask.prompt, maxNewTokens: ask.maxNewTokens, ...(ask.temperature > 0 ? { temperature: ask.temperature, seed: ask.seed } : {}) };
      const r = await bridge.generate(model.id, id, settings, job, (p) => onStep(`${t.label}: token ${p.done}/${p.total}`));
      lab().addGeneration({ ...r, variantId: t.storedId, modelKey, variantLabel: t.label });
    } catch (e) {
      const err = toLabError(e);
      if (err.code === 'Cancelled' || run.stopped) break;
      lab().notify({ kind: 'error', title: `${t.label} could not write: ${err.message}` });
    }
  }
  run.end();
}

export const stopGenerating = (): Promise<void> => run.stop();
