/**
 * Calibration on the user's own text (text-ref.ts names it): the page sends the bytes with each
 * make (LabApi.putCalibrationText); the worker keeps them here and tokenizes them with the model's
 * tokenizer when calibrating, by the same rule as an evaluation text.
 */
import { labError } from '../errors';
import { evalTextIds } from '../eval/eval-text-ids';
import type { TextTokenizer } from '../model/tokenizer';
import { calibrationTextName, calibrationTextRef } from './text-ref';

const texts = new Map<string, { name: string; data: Uint8Array }>();

/** Keeps a text for calibration; refuses bytes that are not the reference's (a stale page). */
export function putCalibrationText(ref: string, name: string, data: Uint8Array): void {
  if (calibrationTextRef(name, data) !== ref) throw labError('BadOption', `calibration text ${calibrationTextName(ref)}: the bytes sent are not the file the variant names (${ref}); pick the file again`);
  texts.set(ref, { name, data });
}

/** The text's tokens, with the model's tokenizer. */
export function calibrationTextIds(ref: string, tokenizer: TextTokenizer): Int32Array {
  const t = texts.get(ref);
  if (!t) throw labError('BadOption', `calibration text ${calibrationTextName(ref)} is not in this page any more; pick the .txt again in the variant builder (calibration text)`);
  return evalTextIds(tokenizer, t.name, t.data);
}
