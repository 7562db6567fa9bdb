/**
 * The results as files: JSON (every stored field, with the model and the setup; schema in
 * docs/results-json.md) and CSV (one line per row of the table on screen, in its order, raw
 * numbers with the settings each was measured on beside it).
 */
import { BACKENDS, type ModelSummary } from '../../workers/api';
import type { StoredVariant, RunSettings } from '../store/types';
import type { StoredPropagation } from '../store/propagation';
import { propagationColumns, propagationJson, propagationOf } from './propagation-export';
import { measuredColumns, measuredJson, NONE_MEASURED, type Measured } from './measured-export';
import { formText, storageText, type ResultRow } from './selectors';
import { speedFormText } from './speed-form';

export const RESULTS_SCHEMA = 'compression-lab.results/1';

/** Parameter-weighted mean of a per-tensor stat over the variant's linear weights. */
export function weighted(v: StoredVariant | undefined, f: (t: StoredVariant['tensors'][number]) => number): number | undefined {
  if (!v || v.tensors.length === 0) return undefined;
  const total = v.tensors.reduce((a, t) => a + t.params, 0);
  return total > 0 ? v.tensors.reduce((a, t) => a + f(t) * t.params, 0) / total : undefined;
}

type Cell = string | number | undefined;

const perBackend = BACKENDS.flatMap((b) => [
  [`ppl ${b}`, (r: ResultRow) => r.evals[b]?.perplexity.ppl],
  [`form ${b}`, (r: ResultRow) => (r.evals[b] ? formText(r.evals[b]!) : undefined)],
  [`dataset ${b}`, (r: ResultRow) => r.evals[b]?.perplexity.dataset],
  [`tokens scored ${b}`, (r: ResultRow) => r.evals[b]?.perplexity.tokensScored],
  [`context ${b}`, (r: ResultRow) => r.evals[b]?.perplexity.context],
  [`stride ${b}`, (r: ResultRow) => r.evals[b]?.perplexity.stride],
  [`eval tokens/s ${b}`, (r: ResultRow) => r.evals[b]?.throughput.tokensPerS],
  [`eval timed runs ${b}`, (r: ResultRow) => r.evals[b]?.throughput.runs],
  [`interleaved tokens/s ${b}`, (r: ResultRow) => r.speeds[b]?.tokensPerS],
  // what that figure timed (its own form): the f32 twin when the EP refused the packed model, whatever "stored as" says
  [`interleaved form ${b}`, (r: ResultRow) => (r.speeds[b] ? speedFormText(r.variant, r.speeds[b]!) : undefined)],
  [`interleaved seq ${b}`, (r: ResultRow) => r.speeds[b]?.seqLen],
  [`interleaved runs ${b}`, (r: ResultRow) => r.speeds[b]?.runsMs.length],
] as [string, (r: ResultRow) => Cell][]);

export function csvColumns(model: ModelSummary | undefined): [string, (r: ResultRow) => Cell][] {
  return [
    ['variant', (r) => r.label],
    ['spec', (r) => (r.variant ? JSON.stringify(r.variant.spec) : 'baseline')],
    ['kernels', (r) => r.variant?.device],
    ['stored as', (r) => (r.variant ? `${storageText(r.variant)}${r.variant.format ? ` · ${r.variant.format}` : ''}` : 'source model')],
    ['bits per weight', (r) => (r.variant ? r.variant.bitsPerWeight : 32)],
    ['packed bytes', (r) => (r.variant ? (r.variant.format ? r.variant.packedBytes : undefined) : model?.onnxBytes)],
    ['gzip bytes', (r) => (r.variant?.format ? r.variant.gzipBytes : undefined)],
    ['f32 bytes', (r) => (r.variant?.format ? r.variant.f32Bytes : undefined)],
    ['sparsity', (r) => weighted(r.variant, (t) => t.sparsity)],
    ['relative error', (r) => weighted(r.variant, (t) => t.relFrobeniusError)],
    ['SQNR dB', (r) => weighted(r.variant, (t) => t.sqnrDb)],
    ...perBackend,
  ];
}

const csvCell = (v: Cell) => {
  if (v === undefined) return '';
  const s = typeof v === 'number' ? String(v) : v;
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * `propagations`: the rows' error-propagation results (propagationsFor); `measured`: their classifier
 * reports, generations and speed figures (measuredFor); both added as columns after the table's.
 */
export function resultsCsv(rows: ResultRow[], model: ModelSummary | undefined, propagations: readonly StoredPropagation[] = [], measured: Measured = NONE_MEASURED): string {
  const cols = [...csvColumns(model), ...propagationColumns(propagations), ...measuredColumns(measured)];
  return [cols.map(([h]) => csvCell(h)).join(','), ...rows.map((r) => cols.map(([, f]) => csvCell(f(r))).join(','))].join('\n') + '\n';
}

export function resultsJson(rows: ResultRow[], model: ModelSummary | undefined, setup: RunSettings, extra: { propagations?: readonly StoredPropagation[]; measured?: Measured; exportedAt?: string } = {}) {
  const { propagations = [], measured = NONE_MEASURED, exportedAt = new Date().toISOString() } = extra;
  const strip = <T extends { modelKey?: string }>(o: T | undefined) => {
    if (!o) return undefined;
    const { modelKey: _k, ...rest } = o;
    return rest;
  };
  return {
    schema: RESULTS_SCHEMA,
    exportedAt,
    model: model && {
      name: model.name, source: model.source, modelType: model.modelType, graphKind: model.graphKind, onnxPath: model.onnxPath,
      onnxBytes: model.onnxBytes, totalParams: model.totalParams, linearParams: model.linearParams, nPositions: model.nPositions,
      vocabSize: model.vocabSize, datasetName: model.datasetName, datasetTokens: model.datasetTokens,
    },
    setup,
    rows: rows.map((r) => ({
      label: r.label,
      variant: strip(r.variant),
      evals: Object.fromEntries(Object.entries(r.evals).map(([b, e]) => [b, strip(e)])),
      speeds: Object.fromEntries(Object.entries(r.speeds).map(([b, s]) => [b, strip(s)])),
      // error propagation per backend (settings, dataset, tokens and the rule inside each)
      propagation: Object.fromEntries(Object.entries(propagationOf(r, propagations)).map(([b, p]) => [b, propagationJson(p)])),
      // classifier reports, generated text, batch-scaling and decode figures, each with its settings
      ...measuredJson(r, measured),
    })),
  };
}
