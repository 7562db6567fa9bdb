// Classifier reports, generated text and batch-scaling / decode figures reach all three exports:
// results.json per row with their settings, CSV columns named by those settings, and report tables
// that say how each figure was measured. Records of other models or variants are left out.
import { describe, expect, it } from 'vitest';
import type { StoredClassification } from '../store/classifications';
import type { StoredGeneration } from '../store/generations';
import type { StoredScaling } from '../store/scaling';
import { DEFAULT_SETTINGS } from '../store/types';
import { measuredFor } from './measured-export';
import { buildReport } from './report';
import { resultsCsv, resultsJson } from './results-export';
import type { ResultRow } from './selectors';

const KEY = 'model-k';
const rows = [
  { key: 'baseline', label: 'baseline', evals: {}, speeds: {} },
  { key: 'v1', label: 'INT4 g32', variant: { id: 'v1', label: 'INT4 g32', spec: { method: 'int4-group', options: {} }, tensors: [], bitsPerWeight: 4.5 }, evals: {}, speeds: {} },
] as unknown as ResultRow[];

const classification = (variantId: string, accuracy: number, modelKey = KEY): StoredClassification => ({
  modelKey, modelId: 'm', variantId, variantLabel: variantId, form: 'packed', settings: { backend: 'wasm', examples: 8 }, dataset: 'sst2-dev',
  examples: 8, labels: ['neg', 'pos'], accuracy, macroPrecision: 0.8, macroRecall: 0.8, macroF1: 0.75,
  perClass: [{ label: 'neg', precision: 0.8, recall: 0.8, f1: 0.7, support: 4 }, { label: 'pos', precision: 0.8, recall: 0.8, f1: 0.8, support: 4 }],
  confusion: [[3, 1], [1, 3]], latencyMs: { median: 12.5, p90: 14, firstMs: 90 }, samplesPerS: 80, finishedAt: 't',
});
const generation = (variantId: string, text: string): StoredGeneration => ({
  modelKey: KEY, modelId: 'm', variantId, variantLabel: variantId, form: 'packed', settings: { backend: 'wasm', prompt: 'The jury said', maxNewTokens: 4 },
  promptTokens: 3, tokens: [1, 2, 3, 4], text, decode: 'KV cache, one token per step', msPerToken: { median: 3.2, p90: 4, firstMs: 20 }, tokensPerS: 312.5, finishedAt: 't',
});
const prefill = (variantId: string, batch: number, tokensPerS: number, storage?: string): StoredScaling => ({
  kind: 'prefill', modelKey: KEY, modelId: 'm', variantId, variantLabel: variantId, settings: { backend: 'wasm', batch, seqLen: 64, runs: 3 },
  medianMs: 10, p10Ms: 9, p90Ms: 11, tokensPerS, firstMs: 40, wasmThreads: 2, finishedAt: 't', ...(storage ? { storage } : {}),
});
const decode = (variantId: string): StoredScaling => ({
  kind: 'decode', modelKey: KEY, modelId: 'm', variantId, variantLabel: variantId, settings: { backend: 'wasm', promptTokens: 16, newTokens: 8, runs: 3 },
  decode: 'KV cache, one token per step', runsTokS: [250, 260, 240], medianMs: 4, p90Ms: 4.2, tokensPerS: 250, promptMs: 9, firstMs: 30,
  sessionCreateMs: 5, sessionReused: false, wasmThreads: 2, finishedAt: 't',
});

const all = {
  classifications: [classification('baseline', 0.875), classification('v1', 0.625), classification('baseline', 0.5, 'other-model')],
  generations: [generation('baseline', ' that the city'), generation('v1', ' "the, the')],
  scalings: [prefill('baseline', 1, 6400), prefill('baseline', 4, 19200), prefill('v1', 1, 5000, 'simulated (f32)'), decode('v1'), prefill('gone-variant', 1, 1)],
};
const measured = measuredFor(rows, all, KEY);

describe('measured results in the exports', () => {
  it('keeps only the exported rows of the loaded model', () => {
    expect(measured.classifications.map((c) => c.accuracy)).toEqual([0.875, 0.625]);
    expect(measured.scalings).toHaveLength(4);
  });

  it('results.json: every record on its row with its settings, without bookkeeping', () => {
    const json = resultsJson(rows, undefined, DEFAULT_SETTINGS, { measured, exportedAt: 'now' });
    const [base, v1] = json.rows;
    expect(base.classifications).toEqual([expect.objectContaining({ accuracy: 0.875, dataset: 'sst2-dev', examples: 8, settings: { backend: 'wasm', examples: 8 } })]);
    expect(base.classifications[0]).not.toHaveProperty('modelKey');
    expect(base.generations[0]).toMatchObject({ text: ' that the city', settings: { prompt: 'The jury said', maxNewTokens: 4 }, decode: 'KV cache, one token per step' });
    expect(base.speedFigures.map((s) => [s.kind, s.settings, s.tokensPerS])).toEqual([
      ['prefill', { backend: 'wasm', batch: 1, seqLen: 64, runs: 3 }, 6400],
      ['prefill', { backend: 'wasm', batch: 4, seqLen: 64, runs: 3 }, 19200],
    ]);
    expect(v1.speedFigures.map((s) => s.kind)).toEqual(['prefill', 'decode']);
    // without measurements the lists are there and empty
    expect(resultsJson(rows, undefined, DEFAULT_SETTINGS).rows[0]).toMatchObject({ classifications: [], generations: [], speedFigures: [] });
  });

  it('CSV: columns named by how they were measured, one value per row', () => {
    const [cols, ...lines] = resultsCsv(rows, undefined, [], measured).trim().split('\n').map(parseLine);
    const cells = (name: string) => lines.map((l) => l[cols.indexOf(name)]);
    expect(cols).toContain('accuracy (wasm · sst2-dev · 8 examples)');
    expect(cells('accuracy (wasm · sst2-dev · 8 examples)')).toEqual(['0.875', '0.625']);
    expect(cells('tokens/s (prefill wasm · batch 4 × 64 tokens · 3 runs)')).toEqual(['19200', '']);
    expect(cells('tokens/s (decode wasm · prompt 16 + 8 new tokens · 3 runs · KV cache, one token per step)')).toEqual(['', '250']);
    const gen = cols.find((c) => c.startsWith('generated text ('))!;
    expect(gen).toContain('greedy · 4 new tokens');
    expect(cells(gen)).toEqual([' that the city', ' "the, the']);
  });

  it('report.html: a table per setting that says how it was measured', () => {
    const doc = { querySelector: () => null, querySelectorAll: () => [] } as unknown as Document;
    const json = resultsJson(rows, undefined, DEFAULT_SETTINGS, { measured, exportedAt: 'now' });
    const html = buildReport(doc, json, '');
    expect(html).toContain('Measured on wasm · sst2-dev · 8 examples.');
    expect(html).toMatch(/<tr data-variant="INT4 g32"><th scope="row">INT4 g32<\/th><td>62.5 %<\/td><td>0.750<\/td><td>neg 0.700 \(n 4\); pos 0.800 \(n 4\)<\/td>/);
    expect(html).toContain('<td> that the city</td>');
    expect(html).toContain('<td> "the, the</td>');
    // one table per prefill batch and one for decode
    expect(html.match(/<table data-speed-figure>/g)).toHaveLength(3);
    expect(html).toContain('Measured on prefill wasm · batch 4 × 64 tokens · 3 runs.');
    expect(html).toContain('1000 / median ms per single-token step');
    // the speed column says the form that ran (an EP that refused the packed INT4 model timed its f32 twin), not 'storage'
    expect(html).toContain('<th>form that ran</th>');
    expect(html).not.toContain('<th>storage</th>');
    expect(html).toMatch(/<tr data-variant="INT4 g32"><th scope="row">INT4 g32<\/th><td>5000.0<\/td>(<td>[^<]*<\/td>){4}<td>simulated \(f32\)<\/td><\/tr>/);
  });
});

/** One CSV line's cells (quoted cells unquoted, "" as "). */
function parseLine(line: string): string[] {
  const out: string[] = [];
  const re = /(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g;
  for (let m = re.exec(line); m && m.index < line.length; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]);
  return out;
}
