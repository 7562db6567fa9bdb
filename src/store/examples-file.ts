/**
 * A classifier's labelled examples picked on the page (a dropped .jsonl of {"text", "label"}
 * lines), sent with every classification in place of the built-in examples; kept in IndexedDB
 * (dropped-files.ts) until "back to the built-in" is pressed.
 */
import type { ClassifySettings } from '../../workers/api';
import { droppedFileStore } from './dropped-files';

export const useExamplesFile = droppedFileStore('compression-lab-examples');

/** The settings with the picked examples, if any. */
export function withExamplesFile(s: ClassifySettings): ClassifySettings {
  const f = useExamplesFile.getState().file;
  return f ? { ...s, examplesFile: { name: f.name, data: f.data } } : s;
}
