/**
 * Every variant with how it is stored, its real sizes, its compression stats, per-backend
 * perplexity and speed, and an Export button; hover a number for how it was measured.
 * The tok/s (eval) columns are timed during each evaluation, one model after another; the speed
 * columns (and the throughput chart) come from the run's interleaved comparison.
 * Click a column head to sort; the JSON / CSV / report downloads take the rows in the order shown.
 */
import { useState } from 'react';
import { BACKENDS } from '../../workers/api';
import { BACKEND_LABEL } from '../lib/plan';
import { csvColumns } from '../lib/results-export';
import { sortRows, type Sort } from '../lib/sort-rows';
import { useResultRows } from '../lib/selectors';
import { useLab } from '../store';
import { ResultRowView } from './ResultRow';
import { ResultsDownloads } from './ResultsDownloads';

/** Heads in table order: [text, CSV column it sorts by (undefined: not sortable), title]. */
const HEADS: [string, string | undefined, string?][] = [
  ['variant', 'variant'], ['stored as', undefined], ['bits/weight', 'bits per weight'], ['packed size', 'packed bytes'], ['gzip', 'gzip bytes'],
  ['f32 size', 'f32 bytes'], ['sparsity', 'sparsity'], ['rel. error', 'relative error'], ['SQNR dB', 'SQNR dB'],
  ...BACKENDS.map((b): [string, string] => [`ppl ${BACKEND_LABEL[b]}`, `ppl ${b}`]),
  ...BACKENDS.map((b): [string, string, string] => [`tok/s ${BACKEND_LABEL[b]} (eval)`, `eval tokens/s ${b}`, 'timed during the evaluation, not interleaved']),
  ...BACKENDS.map((b): [string, string, string] => [`speed ${BACKEND_LABEL[b]} (interleaved)`, `interleaved tokens/s ${b}`, "the run's interleaved speed comparison"]),
  ['settings', undefined], ['export', undefined], ['delete', undefined],
];

export function ResultsTable() {
  const model = useLab((s) => s.model);
  const [sort, setSort] = useState<Sort>();
  const cols = new Map(csvColumns(model));
  const rows = sortRows(useResultRows(), sort, (col, r) => cols.get(col)?.(r));
  const clickSort = (col: string) => setSort((s) => (s?.col === col ? (s.dir === 1 ? { col, dir: -1 } : undefined) : { col, dir: 1 }));
  return (
    <section className="card" data-testid="results-table">
      <h2>
        Results <span className="muted small">sizes measured from the bytes written; pruned variants stay dense f32, so their zeros save gzip/download bytes, not compute</span>
        <ResultsDownloads rows={rows} />
      </h2>
      <div className="scroll">
        <table>
          <thead>
            <tr>
              {HEADS.map(([text, col, title]) => {
                const active = col !== undefined && sort?.col === col;
                return (
                  <th key={text} title={title} aria-sort={active ? (sort!.dir === 1 ? 'ascending' : 'descending') : undefined}>
                    {col ? (
                      <button className="sort" onClick={() => clickSort(col)} data-testid={`sort-${col.replace(/[^a-z0-9]+/gi, '-')}`}>
                        {text}{active ? (sort!.dir === 1 ? ' ▲' : ' ▼') : ''}
                      </button>
                    ) : text}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>{rows.map((r) => <ResultRowView key={r.key} r={r} />)}</tbody>
        </table>
      </div>
    </section>
  );
}
