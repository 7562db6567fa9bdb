/**
 * A user's labelled examples for a classifier: a dropped .jsonl with one {"text": "...", "label": ...}
 * object per line, the label a name from the model's id2label ("fiction") or a class index (2 or
 * "2"). Every line is checked before anything runs; a file with problems is refused with the first
 * few bad lines, each with its line number and what is wrong, and the model's labels named.
 * Pure (checkLabelledJsonl) so the page can answer at once when a file is picked; the worker
 * tokenizes (examplesFromFile).
 */
import { labError } from '../errors';
import { encodeExamples, type LabelledExample } from '../model/classifier';
import type { TextTokenizer } from '../model/tokenizer';
import { decodeEvalText } from './eval-text';

/** Bad lines named in one message; the count says how many more there were. */
const SHOWN_PROBLEMS = 5;

export interface LabelledRow {
  text: string;
  /** class index into the model's labels */
  label: number;
}

function labelIndex(label: unknown, labels: readonly string[]): number | string {
  if (typeof label === 'string') {
    const byName = labels.indexOf(label);
    if (byName >= 0) return byName;
    if (/^\d+$/.test(label.trim())) label = Number(label.trim());
    else return `label "${label}" is not one of the model's labels`;
  }
  if (typeof label === 'number') {
    if (Number.isInteger(label) && label >= 0 && label < labels.length) return label;
    return `label ${label} is not a class index in [0, ${labels.length - 1}]`;
  }
  return label === undefined ? 'it has no "label"' : `its "label" is ${label === null ? 'null' : typeof label}, expected a label name or a class index`;
}

/** The rows of a labelled JSONL text; throws BadOption naming the bad lines and the model's labels. */
export function checkLabelledJsonl(name: string, text: string, labels: readonly string[]): LabelledRow[] {
  const rows: LabelledRow[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (e) {
      problems.push(`line ${i + 1}: not JSON (${(e as Error).message})`);
      return;
    }
    if (!row || typeof row !== 'object' || Array.isArray(row)) {
      problems.push(`line ${i + 1}: expected an object {"text", "label"}, got ${Array.isArray(row) ? 'an array' : JSON.stringify(row)}`);
      return;
    }
    const r = row as { text?: unknown; label?: unknown };
    if (typeof r.text !== 'string' || !r.text.trim()) {
      problems.push(`line ${i + 1}: ${typeof r.text === 'string' ? '"text" is empty' : 'it has no "text" string'}`);
      return;
    }
    const label = labelIndex(r.label, labels);
    if (typeof label === 'string') problems.push(`line ${i + 1}: ${label}`);
    else rows.push({ text: r.text, label });
  });
  if (problems.length) {
    const more = problems.length > SHOWN_PROBLEMS ? `; and ${problems.length - SHOWN_PROBLEMS} more bad line(s)` : '';
    throw labError('BadOption', `${name}: ${problems.slice(0, SHOWN_PROBLEMS).join('; ')}${more}. Each line must be {"text": "...", "label": ...} with the label one of ${labels.map((l, i) => `${l} (${i})`).join(', ')}`);
  }
  if (!rows.length) throw labError('BadOption', `${name}: no examples in it; expected one {"text": "...", "label": ...} object per line`);
  return rows;
}

/** The file's examples, encoded as the built-in ones are (the model's special tokens, cut to maxLength). */
export function examplesFromFile(tok: TextTokenizer, name: string, data: Uint8Array, labels: readonly string[], maxLength: number): LabelledExample[] {
  const rows = checkLabelledJsonl(name, decodeEvalText(name, data), labels);
  return encodeExamples(tok, rows.map((r) => JSON.stringify(r)).join('\n'), labels, maxLength);
}
