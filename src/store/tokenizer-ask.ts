/**
 * A lone .onnx loaded without tokenizer.json: the engine refuses it saying the graph's vocabulary,
 * and the page keeps the files (already read) here so the tokenizer picker can load them again
 * with a built-in tokenizer or with tokenizer files given beside them, without asking for the
 * model again. Cleared by the next load that succeeds or by the picker's cancel.
 */
import { create } from 'zustand';
import type { InputFile } from '../../workers/api';
import type { LabError } from '../engine/errors';

export interface TokenizerAsk {
  files: InputFile[];
  /** the engine's message: which graph, and its vocabulary */
  why: string;
  /** the last refusal of a picked tokenizer (wrong vocabulary size), shown in the picker */
  refused?: string;
}

export const useTokenizerAsk = create<{ ask?: TokenizerAsk }>(() => ({}));

const base = (p: string) => p.slice(p.replace(/\\/g, '/').lastIndexOf('/') + 1);

/** After a load of `files`: open the picker when they lack tokenizer.json and the engine asked for one; a picked tokenizer refused stays in it; any other outcome closes it. */
export function askTokenizerIfMissing(files: InputFile[], err?: LabError): void {
  const lacks = files.some((f) => f.path.endsWith('.onnx')) && !files.some((f) => base(f.path) === 'tokenizer.json');
  const ask = useTokenizerAsk.getState().ask;
  // the picker's own tries load the asked files (plus tokenizer files given beside them)
  const fromPicker = !!ask && ask.files.every((f, i) => files[i] === f);
  if (!err) useTokenizerAsk.setState({ ask: undefined });
  else if (lacks && err.code === 'MissingFile' && err.message.includes('expected tokenizer.json beside the model, it came without one')) useTokenizerAsk.setState({ ask: { files, why: err.message } });
  else if (fromPicker) useTokenizerAsk.setState({ ask: { ...ask, refused: err.message } });
  else useTokenizerAsk.setState({ ask: undefined });
}
