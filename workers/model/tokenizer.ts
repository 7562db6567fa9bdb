/**
 * Tokenization from the model's own tokenizer.json + tokenizer_config.json, offline.
 *
 * Uses @huggingface/tokenizers, the pure-JS tokenizer that transformers.js' PreTrainedTokenizer
 * wraps (so ids are identical; scripts/ppl-node.ts tokenizes through transformers.js itself and
 * the e2e test compares). It does not pull ONNX Runtime into the worker a second time.
 * The dataset text is encoded the way HF's perplexity recipe does: the whole text at once,
 * with the tokenizer's default special tokens.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { labError } from '../errors';

export interface TextTokenizer {
  /** with the tokenizer's default special tokens (its post-processor) */
  encode(text: string): number[];
  /** the text's tokens alone */
  encodePlain(text: string): number[];
  decode(ids: number[]): string;
}

export function makeTokenizer(tokenizerJson: unknown, tokenizerConfig: unknown): TextTokenizer {
  if (!tokenizerJson || typeof tokenizerJson !== 'object' || !('model' in tokenizerJson)) {
    throw labError('MissingFile', 'expected tokenizer.json with a "model" entry (Hugging Face tokenizers format)');
  }
  const tok = new Tokenizer(tokenizerJson as object, (tokenizerConfig ?? {}) as object);
  return {
    encode: (text) => tok.encode(text).ids,
    encodePlain: (text) => tok.encode(text, { add_special_tokens: false }).ids,
    decode: (ids) => tok.decode(ids),
  };
}

/** The dataset as one token stream: the whole text encoded at once, as HF's recipe does. */
export function encodeDataset(tok: TextTokenizer, text: string): Int32Array {
  return Int32Array.from(tok.encode(text));
}
