/** The results table's order: by one column, either way, rows without a value last whichever the way. */
import type { ResultRow } from './selectors';

export type Sort = { col: string; dir: 1 | -1 };

export function sortRows(rows: ResultRow[], sort: Sort | undefined, value: (col: string, r: ResultRow) => unknown): ResultRow[] {
  if (!sort) return rows;
  return [...rows].sort((a, b) => {
    const x = value(sort.col, a);
    const y = value(sort.col, b);
    // unknown values last, whichever the direction
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * sort.dir;
  });
}
