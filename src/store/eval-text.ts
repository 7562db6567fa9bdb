/**
 * The evaluation text picked on the page (a dropped .txt), sent with every evaluation in place of
 * the built-in text. Kept in memory only: after a reload the built-in text is used again.
 */
import { create } from 'zustand';
import type { EvalSettings } from '../../workers/api';

export interface EvalText {
  name: string;
  data: Uint8Array;
  /** characters, for the line under the picker */
  chars: number;
}

export const useEvalText = create<{ text?: EvalText; setText: (t: EvalText | undefined) => void }>((set) => ({
  setText: (text) => set({ text }),
}));

/** The settings with the picked text, if any. */
export function withEvalText(s: EvalSettings): EvalSettings {
  const t = useEvalText.getState().text;
  return t ? { ...s, text: { name: t.name, data: t.data } } : s;
}
