/**
 * Derived views of the results for the loaded model: the rows the charts and the table show.
 * A row is a variant (or the baseline) with its evaluation per backend.
 */
import { useMemo } from 'react';
import type { Backend } from '../../workers/api';
import { useLab } from '../store';
import { plural } from './format';
import { modelKeyOf, type StoredEval, type StoredVariant } from '../store/types';

export interface ResultRow {
  key: string;
  label: string;
  variant?: StoredVariant;
  evals: Partial<Record<Backend, StoredEval>>;
}

export function useResultRows(): ResultRow[] {
  const model = useLab((s) => s.model);
  const variants = useLab((s) => s.variants);
  const evals = useLab((s) => s.evals);
  return useMemo(() => {
    if (!model) return [];
    const key = modelKeyOf(model);
    const mine = evals.filter((e) => e.modelKey === key);
    const evalsOf = (id: string) => Object.fromEntries(mine.filter((e) => e.variantId === id).map((e) => [e.settings.backend, e]));
    const rows: ResultRow[] = [{ key: 'baseline', label: 'baseline', evals: evalsOf('baseline') }];
    for (const v of variants.filter((v) => v.modelKey === key)) {
      rows.push({ key: v.id, label: v.device === 'cpu' ? `${v.label} (cpu)` : v.label, variant: v, evals: evalsOf(v.id) });
    }
    return rows;
  }, [model, variants, evals]);
}

/** "brown test · 8192 tok · ctx 128 / stride 128 · WASM · 3 runs" */
export function settingsText(e: StoredEval): string {
  const p = e.perplexity;
  return `${p.dataset} · ${p.tokensScored} tokens scored · context ${p.context} / stride ${p.stride} · ${p.backend} · ${plural(e.throughput.runs, 'timed run')}`;
}
