/**
 * Which numbers may share a chart: perplexities measured on the same backend, dataset, scored
 * tokens, context and stride. A panel draws one such group at a time and says how many results it
 * left out because they were measured differently, so numbers on different settings never sit on
 * one axis as if comparable.
 */
import type { Backend } from '../../workers/api';
import { BACKEND_LABEL } from '../lib/plan';
import type { ResultRow } from '../lib/selectors';
import type { StoredEval } from '../store/types';

export interface Point {
  row: ResultRow;
  eval: StoredEval;
}

export interface SettingsGroup {
  key: string;
  backend: Backend;
  /** "WASM · brown test · 1,024 tokens · context 256 / stride 256" */
  label: string;
  points: Point[];
}

export const settingsKey = (e: StoredEval) => {
  const p = e.perplexity;
  return `${p.backend}|${p.dataset}|${p.tokensScored}|${p.context}|${p.stride}`;
};

export function settingsLabel(e: StoredEval): string {
  const p = e.perplexity;
  return `${BACKEND_LABEL[p.backend]} · ${p.dataset} · ${p.tokensScored.toLocaleString('en-US')} tokens scored · context ${p.context} / stride ${p.stride}`;
}

/** Every group, the ones holding the baseline and the most results first. */
export function settingsGroups(rows: ResultRow[]): SettingsGroup[] {
  const groups = new Map<string, SettingsGroup>();
  for (const row of rows) {
    for (const e of Object.values(row.evals)) {
      if (!e) continue;
      const key = settingsKey(e);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { key, backend: e.perplexity.backend, label: settingsLabel(e), points: [] }));
      g.points.push({ row, eval: e });
    }
  }
  const hasBase = (g: SettingsGroup) => (g.points.some((p) => p.row.key === 'baseline') ? 1 : 0);
  return [...groups.values()].sort((a, b) => hasBase(b) - hasBase(a) || b.points.length - a.points.length || a.key.localeCompare(b.key));
}

/** The group to draw: the chosen one when it still exists, else the first. */
export const pickGroup = (groups: SettingsGroup[], chosen: string | undefined) => groups.find((g) => g.key === chosen) ?? groups[0];

/** How many results of the other groups a panel leaves out. */
export const leftOut = (groups: SettingsGroup[], drawn: SettingsGroup | undefined) =>
  groups.filter((g) => g !== drawn).reduce((n, g) => n + g.points.length, 0);
