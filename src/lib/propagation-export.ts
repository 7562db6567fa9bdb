/**
 * Error-propagation results (LabApi.errorPropagation) in the exports: per row and backend in the
 * JSON, as columns of the CSV (each block boundary's mean divergence, beside the backend, dataset,
 * windows, context and tokens it was measured on), and as a table in the HTML report. Only results
 * of the rows exported (the loaded model's variants) are written.
 */
import { BACKENDS, type Backend } from '../../workers/api';
import type { StoredPropagation } from '../store/propagation';
import type { ResultRow } from './selectors';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The row's id in stored results: the variant's id, or 'baseline'. */
const rowId = (r: ResultRow) => r.variant?.id ?? 'baseline';

/** The row's results by backend (the store keeps one per model, variant and backend). */
export function propagationOf(r: ResultRow, list: readonly StoredPropagation[]): Partial<Record<Backend, StoredPropagation>> {
  return Object.fromEntries(list.filter((p) => p.variantId === rowId(r)).map((p) => [p.settings.backend, p]));
}

/** The results that belong to the exported rows. */
export function propagationsFor(rows: readonly ResultRow[], list: readonly StoredPropagation[], modelKey: string | undefined): StoredPropagation[] {
  const ids = new Set(rows.map(rowId));
  return list.filter((p) => p.modelKey === modelKey && ids.has(p.variantId));
}

/** A stored result as written to results.json: without the page's bookkeeping. */
export function propagationJson(p: StoredPropagation) {
  const { modelKey: _k, modelId: _m, ...rest } = p;
  return rest;
}

type Cell = string | number | undefined;

/**
 * CSV columns for the backends that have results: how it was measured, then the mean divergence
 * at each block boundary (labels from the first result: one model's results share them).
 */
export function propagationColumns(list: readonly StoredPropagation[]): [string, (r: ResultRow) => Cell][] {
  return BACKENDS.filter((b) => list.some((p) => p.settings.backend === b)).flatMap((b) => {
    const mine = list.filter((p) => p.settings.backend === b);
    const at = (r: ResultRow) => mine.find((p) => p.variantId === rowId(r));
    const labels = mine[0].points.map((p) => p.label);
    return [
      [`propagation dataset ${b}`, (r: ResultRow) => at(r)?.dataset],
      [`propagation windows ${b}`, (r: ResultRow) => at(r)?.settings.windows],
      [`propagation context ${b}`, (r: ResultRow) => at(r)?.settings.context],
      [`propagation tokens ${b}`, (r: ResultRow) => at(r)?.tokens],
      ...labels.map((label, k): [string, (r: ResultRow) => Cell] => [`propagation ${b} ${label}`, (r) => at(r)?.points[k]?.mean]),
    ] as [string, (r: ResultRow) => Cell][];
  });
}

type Measured = ReturnType<typeof propagationJson>;

/** "wasm · brown-test · 2 windows × 256 tokens from the start (512 tokens) · packed models · how the block outputs were found" */
export function propagationSettingsText(p: Measured): string {
  const s = p.settings;
  return `${s.backend} · ${p.dataset} · ${s.windows} window${s.windows === 1 ? '' : 's'} × ${s.context} tokens from the start (${p.tokens} tokens) · ${p.form} models · ${p.rule}`;
}

/** The report's section from the exported rows: one table per measurement setting, raw means (title: the max). */
export function propagationHtml(rows: readonly { label: string; propagation: Partial<Record<Backend, Measured>> }[]): string {
  const groups = new Map<string, [string, Measured][]>();
  for (const r of rows) {
    for (const p of Object.values(r.propagation)) {
      if (!p) continue;
      const k = `${p.settings.backend}|${p.settings.windows}|${p.settings.context}|${p.dataset}`;
      groups.set(k, [...(groups.get(k) ?? []), [r.label, p]]);
    }
  }
  if (groups.size === 0) return '<p class="muted">Not measured (the Error propagation panel\'s "Measure error propagation").</p>';
  return [...groups.values()].map((g) => {
    const labels = g[0][1].points.map((p) => p.label);
    const body = g.map(([label, p]) => `<tr data-variant="${esc(label)}"><th scope="row">${esc(label)}</th>${p.points.map((x) => `<td class="r" title="max ${x.max}">${x.mean}</td>`).join('')}</tr>`);
    return `<p class="muted" data-propagation-settings>Measured on ${esc(propagationSettingsText(g[0][1]))}. Cells: mean over tokens of ‖h_variant − h_base‖ / ‖h_base‖ after each block (hover: the largest token); 0 = exactly unchanged.</p>
<div class="scroll"><table data-propagation><thead><tr><th>variant</th>${labels.map((l) => `<th>${esc(l)}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table></div>`;
  }).join('\n');
}
