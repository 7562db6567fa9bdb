/**
 * "Write with every model": the same prompt continued by the baseline and each variant of the
 * loaded model, one after another on one backend, each stored as it finishes. Variants the worker
 * no longer holds are made again first (same spec, same kernels).
 */
import type { Backend } from '../../workers/api';
import { useLab } from '../store';
import { specKey } from '../store/results';
import { modelKeyOf } from '../store/types';
import { bridge, ensureVariant } from './lab';
import { toLabError } from './errors';

const lab = () => useLab.getState();
let current: string | undefined;
let stopped = false;

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
  stopped = false;
  const targets = [{ label: 'baseline', storedId: 'baseline', key: 'baseline' }, ...lab().variants.filter((v) => v.modelKey === modelKey).map((v) => ({ label: v.label, storedId: v.id, key: specKey(v), v }))];
  for (const t of targets) {
    if (stopped) break;
    current = `generate-${Date.now().toString(36)}-${t.storedId}`;
    onStep(`${t.label}: ${'v' in t ? 'preparing' : 'writing'}…`);
    try {
      const id = 'v' in t && t.v ? (await ensureVariant(t.key, t.v.spec, t.v.device, model.id, modelKey, current, () => undefined, true)).id : 'baseline';
      onStep(`${t.label}: writing…`);
      const settings = { backend: ask.backend, prompt: ask.prompt, maxNewTokens: ask.maxNewTokens, ...(ask.temperature > 0 ? { temperature: ask.temperature, seed: ask.seed } : {}) };
      const r = await bridge.generate(model.id, id, settings, current, (p) => onStep(`${t.label}: token ${p.done}/${p.total}`));
      lab().addGeneration({ ...r, variantId: t.storedId, modelKey, variantLabel: t.label });
    } catch (e) {
      const err = toLabError(e);
      if (err.code === 'Cancelled' || stopped) break;
      lab().notify({ kind: 'error', title: `${t.label} could not write: ${err.message}` });
    }
  }
  current = undefined;
}

export async function stopGenerating(): Promise<void> {
  stopped = true;
  if (current) await bridge.cancel(current);
}
