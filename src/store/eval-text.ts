/**
 * The evaluation text picked on the page (a dropped .txt), sent with every evaluation in place of
 * the built-in text. Kept in IndexedDB (dropped-files.ts): after a reload the same text is used
 * until "back to the built-in" is pressed.
 */
import type { EvalSettings } from '../../workers/api';
import { droppedFileStore, type DroppedFile } from './dropped-files';

export type EvalText = DroppedFile;

export const useEvalText = droppedFileStore('compression-lab-eval-text');

/** The settings with the picked text, if any. */
export function withEvalText(s: EvalSettings): EvalSettings {
  const t = useEvalText.getState().file;
  return t ? { ...s, text: { name: t.name, data: t.data } } : s;
}
