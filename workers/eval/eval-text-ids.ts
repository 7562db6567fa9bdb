/** A dropped evaluation text's tokens, made once per model and text (the last text is kept per tokenizer). */
import { labError } from '../errors';
import { encodeDataset, type TextTokenizer } from '../model/tokenizer';
import { decodeEvalText } from './eval-text';
import { fnv1a } from '../fnv1a';

const cache = new WeakMap<TextTokenizer, { key: string; ids: Int32Array }>();


export function evalTextIds(tok: TextTokenizer, name: string, data: Uint8Array): Int32Array {
  const key = `${name}|${data.length}|${fnv1a(data)}`;
  const hit = cache.get(tok);
  if (hit?.key === key) return hit.ids;
  const ids = encodeDataset(tok, decodeEvalText(name, data));
  if (ids.length < 2) throw labError('BadOption', `${name}: the text is ${ids.length} token long; at least 2 are needed to score one`);
  cache.set(tok, { key, ids });
  return ids;
}
