/**
 * A file the user picked or dropped to evaluate on (a .txt for perplexity, a labelled .jsonl for a
 * classifier), kept in IndexedDB under its own key so it survives a reload; "back to the built-in"
 * forgets it there too. Where IndexedDB is missing or refuses the write (quota), the file is kept
 * for this page only, as before (the results store says when storage is broken).
 */
import { create } from 'zustand';
import { del, get, set } from 'idb-keyval';

export interface DroppedFile {
  name: string;
  data: Uint8Array;
  /** characters, for the line under the picker */
  chars: number;
  /** labelled examples: their count */
  rows?: number;
}

export interface DroppedFileState {
  file?: DroppedFile;
  /** false until the stored file (if any) was read back */
  restored: boolean;
  setFile: (f: DroppedFile | undefined) => void;
}

const idb = () => typeof indexedDB !== 'undefined' && indexedDB !== null;

const valid = (v: unknown): v is DroppedFile =>
  !!v && typeof (v as DroppedFile).name === 'string' && (v as DroppedFile).data instanceof Uint8Array && typeof (v as DroppedFile).chars === 'number';

export function droppedFileStore(key: string) {
  const store = create<DroppedFileState>((setState) => ({
    restored: false,
    setFile: (file) => {
      setState({ file });
      if (!idb()) return;
      (file ? set(key, file) : del(key)).catch(() => {
        /* kept for this page only */
      });
    },
  }));
  if (idb()) {
    get(key)
      .then((v) => {
        // a file picked before the stored one came back wins
        if (valid(v) && !store.getState().file) store.setState({ file: v });
      })
      .catch(() => {})
      .finally(() => store.setState({ restored: true }));
  } else store.setState({ restored: true });
  return store;
}
