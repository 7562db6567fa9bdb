// report.md's tables: every row as wide as the head, cell text on one line with pipes escaped (a
// generated text may hold both).
import { describe, expect, it } from 'vitest';
import { mdCell, mdTable } from './report-md';

describe('report.md tables', () => {
  it('escapes pipes, collapses whitespace, pads short rows', () => {
    expect(mdCell(' a |\n b ')).toBe('a \\| b');
    expect(mdTable(['variant', 'ppl wasm', 'text'], [['baseline', '157.80', 'x | y\nz'], ['INT8']])).toBe(
      '| variant | ppl wasm | text |\n| --- | --- | --- |\n| baseline | 157.80 | x \\| y z |\n| INT8 |  |  |',
    );
  });
});
