/**
 * The Speed action: prefill tokens/s at each batch size and decode tokens/s, for the baseline and
 * the variants of the loaded model (or one of them), on each chosen backend, one figure after
 * another. Decode runs on the built-in model's KV-cache decoder when asked (kvDecoder: the page
 * loads onnx/model.onnx, which has no cache and would run the whole context per token). Every
 * figure is stored the moment it is measured, so a stop or a reload keeps what was finished.
 */
import type { Backend } from '../../workers/api';
import { useLab } from '../store';
import { modelKeyOf } from '../store/types';
import { speedFormText, type RanAs } from '../lib/speed-form';
import { measureBrowserMemory } from '../lib/memory';
import type { StoredScaling } from '../store/scaling';
import { bridge } from './lab';
import { toLabError } from './errors';
import { modelTargets, StoppableRun, workerModelId } from './model-jobs';

const lab = () => useLab.getState();
const run = new StoppableRun('speed');

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
  /** decode on the built-in model's KV-cache decoder (same weights, variants made again on it) instead of the loaded graph */
  kvDecoder?: boolean;
  /** measure the browser's memory after each model's figures on a backend, kept on its last figure (up to 10 s each; "unknown" with the reason where the browser gives none, lib/memory.ts) */
  memory?: boolean;
}

/** The browser's memory now, as a figure keeps it (no per-type breakdown). */
async function memoryNow(): Promise<StoredScaling['memory']> {
  const m = await measureBrowserMemory(lab().capabilities?.wasmThreads ?? 1);
  return 'bytes' in m ? { bytes: m.bytes, ms: m.ms } : { unavailable: m.unavailable };
}

export async function timeModels(ask: SpeedAsk, onStep: (what: string) => void): Promise<void> {
  const model = lab().model;
  if (!model) return;
  const modelKey = modelKeyOf(model);
  run.begin();
  const all = modelTargets(modelKey);
  const targets = ask.target === 'all' ? all : all.filter((t) => t.storedId === ask.target);
  outer: for (const t of targets) {
    for (const backend of ask.backends) {
      const stored = { modelKey, variantLabel: t.label, variantId: t.storedId };
      // labelled by what each figure ran (its form: the f32 twin when the EP refused the packed model), not by the variant's storage
      const ran = (r: RanAs) => ({ storage: speedFormText(t.variant, r) });
      try {
        onStep(`${t.label}: preparing…`);
        const id = await workerModelId(t, model.id, modelKey, run.job(`make-${t.storedId}`));
        let last: StoredScaling | undefined;
        const keep = (f: StoredScaling) => lab().addScaling((last = f));
        for (const batch of ask.batches) {
          if (run.stopped) break outer;
          const settings = { backend, batch, seqLen: ask.seqLen, runs: ask.runs, warmup: ask.warmup };
          const r = await bridge.prefillSpeed(model.id, id, settings, run.job(`prefill-${t.storedId}`), (p) => onStep(`${t.label}, ${backend}: prefill batch ${batch}, ${p.phase} ${p.done}/${p.total}`));
          keep({ ...r, ...stored, ...ran(r), kind: 'prefill' });
        }
        if (run.stopped) break outer;
        if (ask.decode) {
          const settings = { backend, promptTokens: ask.promptTokens, newTokens: ask.newTokens, runs: ask.runs, warmup: ask.warmup, ...(ask.kvDecoder ? { kvDecoder: true } : {}) };
          const r = await bridge.decodeSpeed(model.id, id, settings, run.job(`decode-${t.storedId}`), (p) => onStep(`${t.label}, ${backend}: decode, ${p.phase} ${p.done}/${p.total}`));
          keep({ ...r, ...stored, ...ran(r), kind: 'decode' });
        }
        // once per model and backend, on its last figure: bounded (lib/memory.ts), "unknown" once the WASM thread pool ran
        if (ask.memory && last && !run.stopped) {
          onStep(`${t.label}, ${backend}: measuring the browser's memory…`);
          keep({ ...last, memory: await memoryNow() });
        }
      } catch (e) {
        const err = toLabError(e);
        if (err.code === 'Cancelled' || run.stopped) break outer;
        lab().notify({ kind: 'error', title: `Speed of ${t.label} on ${backend} could not be measured: ${err.message}` });
      }
    }
  }
  run.end();
}

export const stopTiming = (): Promise<void> => run.stop();
