/**
 * A text file given to evaluate on, picked with a file input or dropped on the page: a .txt
 * becomes the evaluation text, a .jsonl the loaded classifier's labelled examples. Checked at
 * once in the page (UTF-8, and for examples every line against the model's labels) with the same
 * pure checks the worker runs; returns why a file was refused, or undefined when it was taken.
 */
import { decodeEvalText } from '../../workers/eval/eval-text';
import { checkLabelledJsonl } from '../../workers/eval/labelled-file';
import { useEvalText } from '../store/eval-text';
import { useExamplesFile } from '../store/examples-file';
import { useLab } from '../store';

export function pickEvalText(name: string, data: Uint8Array): string | undefined {
  try {
    useEvalText.getState().setFile({ name, data, chars: decodeEvalText(name, data).length });
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export function pickExamples(name: string, data: Uint8Array): string | undefined {
  const labels = useLab.getState().model?.labels;
  if (!labels) return `${name}: labelled examples are for a sequence classifier; load one first (the demo classifier is one click away)`;
  try {
    const text = decodeEvalText(name, data);
    const rows = checkLabelledJsonl(name, text, labels).length;
    useExamplesFile.getState().setFile({ name, data, chars: text.length, rows });
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** A single .txt or .jsonl dropped on the page: taken as text to evaluate on (true), else it is a model (false). */
export async function pickDropped(file: File): Promise<boolean> {
  const kind = /\.jsonl$/i.test(file.name) ? 'examples' : /\.txt$/i.test(file.name) ? 'text' : undefined;
  if (!kind) return false;
  const data = new Uint8Array(await file.arrayBuffer());
  const why = kind === 'examples' ? pickExamples(file.name, data) : pickEvalText(file.name, data);
  const lab = useLab.getState();
  if (why) lab.notify({ kind: 'error', title: `Could not use ${file.name}: ${why}`, detail: kind === 'examples' ? 'The examples in use are kept; drop a UTF-8 .jsonl with one {"text", "label"} a line to change them.' : 'The evaluation text in use is kept; drop a UTF-8 .txt to change it.' });
  else lab.notify({ kind: 'info', title: kind === 'examples' ? `Classifying on ${file.name} from now on (kept after a reload).` : `Evaluating on ${file.name} from now on (kept after a reload).` });
  return true;
}
