// The CSV is the table as shown: one line per row in the given order, unknown numbers empty, text
// with commas or quotes quoted; sorting puts rows without a value last either way.
import { describe, expect, it } from 'vitest';
import type { ResultRow } from './selectors';
import { resultsCsv } from './results-export';
import { sortRows } from './sort-rows';
import type { StoredEval, StoredVariant } from '../store/types';

const ev = (ppl: number) => ({ perplexity: { ppl, dataset: 'd', tokensScored: 100, context: 64, stride: 64, backend: 'wasm' }, throughput: { tokensPerS: 1, runs: 1 }, variantId: 'x', form: 'packed' } as unknown as StoredEval);
const variant = (label: string) => ({ id: label, label, spec: { method: 'int8-channel', options: {} }, device: 'cpu', tensors: [], bitsPerWeight: 8, storage: 'packed', format: 'a, "b"', packedBytes: 10, gzipBytes: 9, f32Bytes: 40 } as unknown as StoredVariant);
const rows: ResultRow[] = [
  { key: 'baseline', label: 'baseline', evals: { wasm: ev(20) }, speeds: {} },
  { key: 'a', label: 'a', variant: variant('a'), evals: {}, speeds: {} },
  { key: 'b', label: 'b', variant: variant('b'), evals: { wasm: ev(30) }, speeds: {} },
];

describe('results export', () => {
  it('one CSV line per row, in order, unknowns empty, quoting where needed', () => {
    const lines = resultsCsv(rows, undefined).trim().split('\n');
    expect(lines).toHaveLength(4);
    const head = lines[0].split(',');
    expect(head.slice(0, 2)).toEqual(['variant', 'spec']);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['baseline', 'a', 'b']);
    expect(lines[2]).toContain('"packed · a, ""b"""');
    const ppl = head.indexOf('ppl wasm');
    expect(lines[3].split(',')[ppl + 2]).toBe('30'); // two commas inside the quoted spec and stored-as cells
  });

  it('sorts either way with unknown values last', () => {
    const by = (col: string, r: ResultRow) => (col === 'ppl' ? r.evals.wasm?.perplexity.ppl : r.label);
    expect(sortRows(rows, { col: 'ppl', dir: 1 }, by).map((r) => r.key)).toEqual(['baseline', 'b', 'a']);
    expect(sortRows(rows, { col: 'ppl', dir: -1 }, by).map((r) => r.key)).toEqual(['b', 'baseline', 'a']);
    expect(sortRows(rows, undefined, by)).toBe(rows);
  });
});
