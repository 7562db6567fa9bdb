/**
 * Derived views of the results for the loaded model: the rows the charts and the table show.
 * A row is a variant (or the baseline) with its evaluation per backend and its interleaved speed
 * figure per backend (from the latest speed comparison that timed it).
 */
import { useDeferredValue, useMemo } from 'react';
import type { Backend } from '../../workers/api';
import { useLab } from '../store';
import { plural } from './format';
import { modelKeyOf, type StoredEval, type StoredSpeed, type StoredVariant } from '../store/types';

export interface ResultRow {
  key: string;
  label: string;
  variant?: StoredVariant;
  evals: Partial<Record<Backend, StoredEval>>;
  speeds: Partial<Record<Backend, StoredSpeed>>;
}

export function useResultRows(): ResultRow[] {
  const model = useLab((s) => s.model);
  const variants = useLab((s) => s.variants);
  const evals = useLab((s) => s.evals);
  const speeds = useLab((s) => s.speeds);
  const rows = useMemo(() => {
    if (!model) return [];
    const key = modelKeyOf(model);
    const mine = evals.filter((e) => e.modelKey === key);
    const evalsOf = (id: string) => Object.fromEntries(mine.filter((e) => e.variantId === id).map((e) => [e.settings.backend, e]));
    const timed = speeds.filter((e) => e.modelKey === key);
    const speedsOf = (id: string) => Object.fromEntries(timed.filter((e) => e.variantId === id).map((e) => [e.backend, e]));
    const rows: ResultRow[] = [{ key: 'baseline', label: 'baseline', evals: evalsOf('baseline'), speeds: speedsOf('baseline') }];
    for (const v of variants.filter((v) => v.modelKey === key)) {
      rows.push({ key: v.id, label: v.device === 'cpu' ? `${v.label} (cpu)` : v.label, variant: v, evals: evalsOf(v.id), speeds: speedsOf(v.id) });
    }
    return rows;
  }, [model, variants, evals, speeds]);
  // charts and tables are the page's heaviest render (hundreds of ms in React's dev build on a
  // loaded 2-core machine): drawn from a deferred copy, their render yields to clicks such as Cancel
  return useDeferredValue(rows);
}

/** What ran: the source model for the baseline, else the packed model or its f32 twin ("simulated (f32)"). */
export function formText(e: Pick<StoredEval, 'variantId' | 'form'>): string {
  if (e.variantId === 'baseline') return 'source model';
  // results stored before packed models existed have no form: they came from a dequantized f32 model
  return e.form === 'packed' ? 'packed' : 'simulated (f32)';
}

/** How a speed figure's model is stored: the baseline is the source, a pruned variant stays dense f32. */
export function storageText(variant: StoredVariant | undefined): string {
  if (!variant) return 'source model';
  return variant.storage === 'packed' ? 'packed' : variant.storage === 'dense' ? 'dense f32' : variant.storage === 'simulated' ? 'simulated (f32)' : 'f32 (made before packed models)';
}

/**
 * "WASM, 2 threads" or "WebGPU, SwiftShader …": where a speed figure was timed (an interleaved
 * speed, an evaluation's throughput, a generation). Figures stored before these were recorded say so.
 */
export function speedWhere(s: { backend: Backend; wasmThreads?: number; adapter?: string }): string {
  if (s.backend === 'wasm') return `WASM, ${s.wasmThreads === undefined ? 'threads not recorded' : plural(s.wasmThreads, 'thread')}`;
  return `WebGPU, adapter ${s.adapter ?? 'unknown'}`;
}

/** "median of 7 interleaved runs (p10–p90 40.1–44.0 ms), seq 256, 1 warm-up, timed with baseline, …" */
export function speedText(s: StoredSpeed, labelOf: (id: string) => string): string {
  const others = s.interleavedWith.length ? `, interleaved with ${s.interleavedWith.map(labelOf).join(', ')}` : ', timed alone';
  return `median ${s.medianMs.toFixed(1)} ms of ${plural(s.runsMs.length, 'interleaved run')} (p10–p90 ${s.p10Ms.toFixed(1)}–${s.p90Ms.toFixed(1)} ms), prefill batch 1 × ${s.seqLen} tokens, ${plural(s.warmup, 'warm-up')} each${others}`;
}

/** "brown test · 8192 tok · ctx 128 / stride 128 · WASM · 3 runs" */
export function settingsText(e: StoredEval): string {
  const p = e.perplexity;
  const why = e.formReason ? ` (${e.formReason})` : '';
  return `${formText(e)}${why} · ${p.dataset} · ${p.tokensScored} tokens scored · context ${p.context} / stride ${p.stride} · ${p.backend} · ${plural(e.throughput.runs, 'timed run')}`;
}
