/**
 * Classifier reports (LabApi.classify), generated text (LabApi.generate) and the Speed action's
 * batch-scaling / decode figures (LabApi.prefillSpeed, LabApi.decodeSpeed) in the exports: per row in
 * the JSON (each record with the settings it was measured on), as CSV columns whose names carry
 * those settings, and as tables in the HTML report that say how each figure was measured. Only
 * records of the exported rows (the loaded model's variants) are written.
 */
import type { StoredClassification } from '../store/classifications';
import type { StoredGeneration } from '../store/generations';
import type { StoredScaling } from '../store/scaling';
import type { ResultRow } from './selectors';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The row's id in stored results: the variant's id, or 'baseline'. */
const rowId = (r: ResultRow) => r.variant?.id ?? 'baseline';

export interface Measured {
  classifications: readonly StoredClassification[];
  generations: readonly StoredGeneration[];
  scalings: readonly StoredScaling[];
}

export const NONE_MEASURED: Measured = { classifications: [], generations: [], scalings: [] };

/** The records that belong to the exported rows of the model `modelKey`. */
export function measuredFor(rows: readonly ResultRow[], all: Measured, modelKey: string | undefined): Measured {
  const ids = new Set(rows.map(rowId));
  const mine = <T extends { modelKey: string; variantId: string }>(l: readonly T[]) => l.filter((x) => x.modelKey === modelKey && ids.has(x.variantId));
  return { classifications: mine(all.classifications), generations: mine(all.generations), scalings: mine(all.scalings) };
}

/** A record without the page's bookkeeping, kind by kind (a union stays a union). */
type Bare<T> = T extends unknown ? Omit<T, 'modelKey' | 'modelId'> : never;

/** A record as written to results.json: without the page's bookkeeping. */
function clean<T extends { modelKey: string; modelId: string }>(x: T): Bare<T> {
  const { modelKey: _k, modelId: _m, ...rest } = x;
  return rest as unknown as Bare<T>;
}

/** The row's records for results.json (empty lists when nothing was measured). */
export function measuredJson(r: ResultRow, m: Measured) {
  const id = rowId(r);
  const of = <T extends { variantId: string; modelKey: string; modelId: string }>(l: readonly T[]) => l.filter((x) => x.variantId === id).map(clean);
  return { classifications: of(m.classifications), generations: of(m.generations), speedFigures: of(m.scalings) };
}

// ---- how each record was measured, in words (the CSV's column names and the report's notes) ----

type C = Bare<StoredClassification>;
type G = Bare<StoredGeneration>;
type S = Bare<StoredScaling>;

/** "wasm · sst2-dev · 64 examples" */
export const classifySetting = (c: C) => `${c.settings.backend} · ${c.dataset} · ${c.examples} examples`;
/** "wasm · greedy · 32 new tokens · KV cache, one token per step" */
export const generateSetting = (g: G) =>
  `${g.settings.backend} · ${g.settings.temperature ? `sampled at T ${g.settings.temperature}, seed ${g.settings.seed ?? 'none'}` : 'greedy'} · ${g.settings.maxNewTokens} new tokens · ${g.decode}`;
/** "prefill wasm · batch 4 × 64 tokens · 5 runs" or "decode wasm · prompt 32 + 16 new tokens · 3 runs · KV cache, …" */
export function speedSetting(s: S): string {
  if (s.kind === 'prefill') return `prefill ${s.settings.backend} · batch ${s.settings.batch} × ${s.settings.seqLen} tokens · ${s.settings.runs} runs`;
  return `decode ${s.settings.backend} · prompt ${s.settings.promptTokens} + ${s.settings.newTokens} new tokens · ${s.settings.runs} runs · ${s.decode}${s.graph ? ` · ${s.graph}` : ''}`;
}

type Cell = string | number | undefined;
type Column = [string, (r: ResultRow) => Cell];

/** One group of columns per distinct setting, in the order first met. */
function grouped<T>(list: readonly T[], key: (x: T) => string, cols: (k: string, at: (r: ResultRow) => T | undefined) => Column[], idOf: (x: T) => string): Column[] {
  const keys = [...new Set(list.map(key))];
  return keys.flatMap((k) => cols(k, (r) => list.find((x) => key(x) === k && idOf(x) === rowId(r))));
}

/** CSV columns: each names the setting its numbers were measured on. */
export function measuredColumns(m: Measured): Column[] {
  const id = (x: { variantId: string }) => x.variantId;
  return [
    ...grouped(m.classifications, classifySetting, (k, at) => [
      [`accuracy (${k})`, (r) => at(r)?.accuracy],
      [`macro F1 (${k})`, (r) => at(r)?.macroF1],
      [`samples/s (${k})`, (r) => at(r)?.samplesPerS],
    ], id),
    ...grouped(m.generations, (g) => `${generateSetting(g)} · prompt "${g.settings.prompt}"`, (k, at) => [
      [`generated text (${k})`, (r) => at(r)?.text],
      [`generation tokens/s (${k})`, (r) => at(r)?.tokensPerS],
    ], id),
    ...grouped(m.scalings, speedSetting, (k, at) => [
      [`tokens/s (${k})`, (r) => at(r)?.tokensPerS],
      [`median ms (${k})`, (r) => at(r)?.medianMs],
    ], id),
  ];
}

/** The rows as results.json has them (label plus measuredJson's fields). */
type JsonRow = { label: string } & ReturnType<typeof measuredJson>;

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

function section<T>(rows: readonly JsonRow[], pick: (r: JsonRow) => readonly T[], setting: (x: T) => string, intro: string, head: string[], cells: (x: T) => string[], attr: string, none: string): string {
  const groups = new Map<string, [string, T][]>();
  for (const r of rows) for (const x of pick(r)) groups.set(setting(x), [...(groups.get(setting(x)) ?? []), [r.label, x]]);
  if (groups.size === 0) return `<p class="muted">${none}</p>`;
  return [...groups.entries()].map(([k, g]) => `<p class="muted" ${attr}-settings>Measured on ${esc(k)}. ${intro}</p>
<div class="scroll"><table ${attr}><thead><tr><th>variant</th>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${g
    .map(([label, x]) => `<tr data-variant="${esc(label)}"><th scope="row">${esc(label)}</th>${cells(x).map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`).join('\n');
}

/** The report's three sections: classification, generated text, speed figures (one table per setting). */
export function measuredHtml(rows: readonly JsonRow[]): string {
  return `<h2>Classification</h2>${section(rows, (r) => r.classifications, classifySetting,
    'Accuracy and macro F1 over the labelled examples; latency per example, the first (warm-up) left out.',
    ['accuracy', 'macro F1', 'per-class F1', 'median ms / example', 'samples/s', 'form'],
    (c) => [pct(c.accuracy), c.macroF1.toFixed(3), c.perClass.map((p) => `${p.label} ${p.f1.toFixed(3)} (n ${p.support})`).join('; '), c.latencyMs.median.toFixed(2), c.samplesPerS.toFixed(1), c.form],
    'data-classification', 'Not measured (the Classification panel).')}
<h2>Generated text</h2>${section(rows, (r) => r.generations, (g) => `${generateSetting(g)} · prompt "${g.settings.prompt}" (${g.promptTokens} tokens)`,
    'Batch 1; ms per token is the median over new tokens, the first (warm-up) left out.',
    ['text', 'median ms / token', 'tokens/s', 'form'],
    (g) => [g.text, g.msPerToken.median.toFixed(2), g.tokensPerS.toFixed(1), g.form],
    'data-generation', 'Not measured (the Generation panel).')}
<h2>Batch scaling and decode speed</h2>${section(rows, (r) => r.speedFigures, speedSetting,
    'Timed runs one after another (the first, with warm-up, untimed); prefill tokens/s = batch × tokens / median run, decode tokens/s = 1000 / median ms per single-token step. Compare only figures of one backend measured in the same session.',
    // the form the figure ran as (speedFormText: 'simulated (f32)' when the EP refused the packed model), not the variant's storage
    ['tokens/s', 'median ms', 'p90 ms', 'first run ms', 'WASM threads', 'form that ran'],
    (s) => [s.tokensPerS.toFixed(1), s.medianMs.toFixed(2), s.p90Ms.toFixed(2), s.firstMs.toFixed(1), String(s.wasmThreads), s.storage ?? ''],
    'data-speed-figure', 'Not measured (the Speed action).')}`;
}
