/**
 * Two models side by side: the stored results of any two models the lab has evaluated (each loaded
 * in its turn; results persist per model), matched by variant spec. Each side's perplexity is set
 * against its own model's baseline (Δ %), since the two models' perplexities differ to begin with;
 * a pair of Δ counts as comparable only when both models were measured on the same backend,
 * dataset, scored tokens, context and stride, and each Δ against a baseline of those settings.
 */
import type { Backend } from '../../workers/api';
import { settingsKey } from '../panels/groups';
import { specKey } from '../store/results';
import type { StoredEval, StoredVariant } from '../store/types';

export interface ComparedModel {
  key: string;
  name: string;
  params: number;
}

/** modelKeyOf's "name|params|bytes" read back (a name may hold '|'). */
export function modelOfKey(key: string): ComparedModel {
  const parts = key.split('|');
  return { key, name: parts.slice(0, -2).join('|') || key, params: Number(parts[parts.length - 2]) || 0 };
}

/** Models with at least one evaluation, the most recently measured first. */
export function modelsWithResults(evals: readonly StoredEval[]): ComparedModel[] {
  const last = new Map<string, string>();
  for (const e of evals) if ((last.get(e.modelKey) ?? '') < e.finishedAt) last.set(e.modelKey, e.finishedAt);
  return [...last.entries()].sort((a, b) => b[1].localeCompare(a[1])).map(([k]) => modelOfKey(k));
}

export interface Side {
  eval: StoredEval;
  variant?: StoredVariant;
  /** ppl / baseline ppl − 1, against the baseline measured on the same settings (undefined: none) */
  delta?: number;
  bits: number;
}

export interface CompareRow {
  /** 'baseline' or the variant's spec key */
  key: string;
  label: string;
  sides: [Side | undefined, Side | undefined];
  /** both sides measured, each against its own baseline, on the same settings */
  comparable: boolean;
}

function sidesOf(modelKey: string, backend: Backend, variants: readonly StoredVariant[], evals: readonly StoredEval[]): Map<string, Side> {
  const mine = evals.filter((e) => e.modelKey === modelKey && e.settings.backend === backend);
  const base = mine.find((e) => e.variantId === 'baseline');
  const out = new Map<string, Side>();
  if (base) out.set('baseline', { eval: base, delta: 0, bits: 32 });
  for (const v of variants.filter((x) => x.modelKey === modelKey)) {
    const e = mine.find((x) => x.variantId === v.id);
    if (!e) continue;
    const delta = base && settingsKey(base) === settingsKey(e) ? e.perplexity.ppl / base.perplexity.ppl - 1 : undefined;
    out.set(specKey(v), { eval: e, variant: v, delta, bits: v.bitsPerWeight });
  }
  return out;
}

/** The rows: baseline first, then model A's variants in order, then those only model B has. */
export function compareModels(a: string, b: string, backend: Backend, variants: readonly StoredVariant[], evals: readonly StoredEval[]): CompareRow[] {
  const [sa, sb] = [sidesOf(a, backend, variants, evals), sidesOf(b, backend, variants, evals)];
  const keys = [...new Set([...sa.keys(), ...sb.keys()])];
  return keys.map((key) => {
    const sides: [Side | undefined, Side | undefined] = [sa.get(key), sb.get(key)];
    const [x, y] = sides;
    const comparable = !!x && !!y && x.delta !== undefined && y.delta !== undefined && settingsKey(x.eval) === settingsKey(y.eval);
    return { key, label: key === 'baseline' ? 'baseline' : (x ?? y)!.variant!.label, sides, comparable };
  });
}

/** Backends on which both models have results. */
export function sharedBackends(a: string, b: string, evals: readonly StoredEval[]): Backend[] {
  const of = (k: string) => new Set(evals.filter((e) => e.modelKey === k).map((e) => e.settings.backend));
  const [x, y] = [of(a), of(b)];
  return [...x].filter((bk) => y.has(bk));
}
