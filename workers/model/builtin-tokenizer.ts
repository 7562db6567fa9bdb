/**
 * Tokenizers the lab ships (its demo models'), offered for a lone .onnx that came without one.
 * A built-in tokenizer is taken only when its vocabulary is exactly the graph's: a tokenizer of
 * another size would feed ids the embedding does not have, or score a model on a vocabulary it was
 * not trained on, and either gives numbers that mean nothing.
 */
import { labError } from '../errors';
import type { GraphFacts } from './graph-facts';

/** Demo folder → what the picker calls its tokenizer. */
export const BUILTIN_TOKENIZERS: Readonly<Record<string, string>> = Object.freeze({
  'brown-gpt2-tiny': "the demo LM's GPT-2 BPE",
  'brown-bert-genre': "the demo classifier's WordPiece",
});

export function checkBuiltinName(name: string): string {
  const label = BUILTIN_TOKENIZERS[name];
  if (!label) throw labError('BadOption', `built-in tokenizer must be one of ${Object.keys(BUILTIN_TOKENIZERS).join(', ')}; got "${name}"`);
  return label;
}

/** Ids a tokenizer.json can give: its model's vocabulary and its added tokens (the largest id + 1). */
export function tokenizerVocabSize(json: unknown): number {
  const j = json as { model?: { vocab?: unknown }; added_tokens?: { id?: number }[] };
  let size = 0;
  const vocab = j?.model?.vocab;
  if (Array.isArray(vocab)) size = vocab.length; // Unigram: [piece, score] pairs
  else if (vocab && typeof vocab === 'object') for (const id of Object.values(vocab)) size = Math.max(size, Number(id) + 1);
  for (const t of j?.added_tokens ?? []) if (Number.isInteger(t.id)) size = Math.max(size, t.id! + 1);
  return size;
}

/** Throws unless the built-in tokenizer's vocabulary is the graph's. */
export function checkBuiltinFits(name: string, json: unknown, facts: GraphFacts, file: string): void {
  const label = checkBuiltinName(name);
  const size = tokenizerVocabSize(json);
  if (facts.vocabSize === undefined) {
    throw labError('BadOption', `${file} does not say its vocabulary size (no fixed logits dimension, no embedding gathered by input_ids), so ${label} (${size.toLocaleString('en')} tokens) cannot be checked against it: give the model's own tokenizer.json`);
  }
  if (size !== facts.vocabSize) {
    throw labError('BadOption', `${label} has ${size.toLocaleString('en')} tokens, and ${file} has a vocabulary of ${facts.vocabSize.toLocaleString('en')} (${facts.vocabFrom}): a tokenizer must have the model's vocabulary; give the model's own tokenizer.json`);
  }
}
