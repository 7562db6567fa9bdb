/**
 * What the tokenizer does to the text, for the numbers beside a perplexity: the UTF-8 bytes each
 * token stands for (bits per byte compares models whose tokenizers differ) and how a text begins
 * (BOS or not). Read from the model's own tokenizer.json; cached per tokenizer.
 */
import type { TextTokenizer } from '../model/tokenizer';

interface TokenizerJson {
  decoder?: { type?: string };
  model?: { vocab?: Record<string, number> | [string, number][] };
  added_tokens?: { id: number; content: string; special?: boolean }[];
}

const utf8 = new TextEncoder();
const cache = new WeakMap<object, { bytes: Uint16Array; bos: string }>();

/**
 * bytes[id] = UTF-8 bytes of the text the token stands for; 0 for special tokens.
 * Byte-level BPE (GPT-2 and kin): each character of a token's string is one byte of text.
 * Other tokenizers: the length of the token decoded alone.
 */
function tokenBytes(json: TokenizerJson, tok: TextTokenizer, vocabSize: number): Uint16Array {
  const special = new Set((json.added_tokens ?? []).filter((t) => t.special).map((t) => t.id));
  const vocab = json.model?.vocab;
  const entries: [string, number][] = Array.isArray(vocab) ? vocab.map(([s], i) => [s, i]) : Object.entries(vocab ?? {});
  const size = Math.max(vocabSize, ...entries.map(([, id]) => id + 1), ...[...special].map((id) => id + 1));
  const out = new Uint16Array(size);
  const byteLevel = json.decoder?.type === 'ByteLevel';
  for (const [s, id] of entries) {
    if (special.has(id)) continue;
    out[id] = byteLevel ? [...s].length : utf8.encode(tok.decode([id])).length;
  }
  return out;
}

function bosText(json: TokenizerJson, tok: TextTokenizer): string {
  const special = new Map((json.added_tokens ?? []).filter((t) => t.special).map((t) => [t.id, t.content]));
  const first = tok.encode('a')[0];
  const head = special.has(first)
    ? `the tokenizer prepends ${special.get(first)} once, at the start of the text; later windows start mid-text without it`
    : 'no BOS: the tokenizer adds none, so the text is scored as it is';
  return `${head}; each window's first token is context only (never scored)`;
}

export function tokenizerFacts(tokenizerJson: unknown, tok: TextTokenizer, vocabSize: number): { bytes: Uint16Array; bos: string } {
  const key = (tokenizerJson ?? tok) as object;
  let hit = cache.get(key);
  if (!hit) {
    const json = (tokenizerJson ?? {}) as TokenizerJson;
    hit = { bytes: tokenBytes(json, tok, vocabSize), bos: bosText(json, tok) };
    cache.set(key, hit);
  }
  return hit;
}
