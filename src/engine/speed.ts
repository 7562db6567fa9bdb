/**
 * The Speed action: prefill tokens/s at each batch size and decode tokens/s, for the baseline and
 * the variants of the loaded model (or one of them), on each chosen backend, one figure after
 * another; every figure is stored the moment it is measured, so a stop or a reload keeps what
 * was finished. Variants the worker no longer holds are made again first (same spec, same kernels).
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

export interface SpeedAsk {
  backends: Backend[];
  batches: number[];
  seqLen: number;
  runs: number;
  warmup: number;
  promptTokens: number;
  newTokens: number;
  /** 'all', 'baseline' or a stored variant id */
  target: string;
  /** false: prefill only */
  decode: boolean;
}

export async function timeModels(ask: SpeedAsk, onStep: (what: string) => void): Promise<void> {
  const model = lab().model;
  if (!model) return;
  const modelKey = modelKeyOf(model);
  stopped = false;
  const all = [{ label: 'baseline', storedId: 'baseline' }, ...lab().variants.filter((v) => v.modelKey === modelKey).map((v) => ({ label: v.label, storedId: v.id, v }))];
  const targets = ask.target === 'all' ? all : all.filter((t) => t.storedId === ask.target);
  const job = (what: string, id: string) => (current = `speed-${what}-${Date.now().toString(36)}-${id}`);
  outer: for (const t of targets) {
    for (const backend of ask.backends) {
      const stored = { modelKey, variantLabel: t.label, variantId: t.storedId };
      try {
        onStep(`${t.label}: preparing…`);
        const id = 'v' in t && t.v ? (await ensureVariant(specKey(t.v), t.v.spec, t.v.device, model.id, modelKey, job('make', t.storedId), () => undefined, true)).id : 'baseline';
        for (const batch of ask.batches) {
          if (stopped) break outer;
          const settings = { backend, batch, seqLen: ask.seqLen, runs: ask.runs, warmup: ask.warmup };
          const r = await bridge.prefillSpeed(model.id, id, settings, job('prefill', t.storedId), (p) => onStep(`${t.label}, ${backend}: prefill batch ${batch}, ${p.phase} ${p.done}/${p.total}`));
          lab().addScaling({ ...r, ...stored, kind: 'prefill' });
        }
        if (stopped) break outer;
        if (!ask.decode) continue;
        const settings = { backend, promptTokens: ask.promptTokens, newTokens: ask.newTokens, runs: ask.runs, warmup: ask.warmup };
        const r = await bridge.decodeSpeed(model.id, id, settings, job('decode', t.storedId), (p) => onStep(`${t.label}, ${backend}: decode, ${p.phase} ${p.done}/${p.total}`));
        lab().addScaling({ ...r, ...stored, kind: 'decode' });
      } catch (e) {
        const err = toLabError(e);
        if (err.code === 'Cancelled' || stopped) break outer;
        lab().notify({ kind: 'error', title: `Speed of ${t.label} on ${backend} could not be measured: ${err.message}` });
      }
    }
  }
  current = undefined;
}

export async function stopTiming(): Promise<void> {
  stopped = true;
  if (current) await bridge.cancel(current);
}
