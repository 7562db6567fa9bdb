/**
 * What the lab feeds a RoBERTa-style classifier (e2e/fixtures/tiny-roberta-genre, tools/make_roberta_fixture.py):
 * <s> … </s> from the tokenizer's RobertaProcessing, no [CLS]/[SEP], and at most 128 tokens for its 130
 * positions (they count from pad_token_id + 1); a BERT-style config keeps all its positions.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeExamples, inputLength } from '../workers/model/classifier';
import { makeTokenizer } from '../workers/model/tokenizer';

const DIR = 'e2e/fixtures/tiny-roberta-genre';
const json = (f: string) => JSON.parse(readFileSync(`${DIR}/${f}`, 'utf8'));

describe('RoBERTa-style classifier input', () => {
  const config = json('config.json');

  it('takes max_position_embeddings - pad - 1 tokens; BERT and DistilBERT take all their positions', () => {
    expect(inputLength(config, config.max_position_embeddings)).toBe(128);
    expect(inputLength({ model_type: 'xlm-roberta', pad_token_id: 1 }, 514)).toBe(512);
    expect(inputLength({ model_type: 'bert', pad_token_id: 8194 }, 128)).toBe(128);
    expect(inputLength({ model_type: 'distilbert', pad_token_id: 8194 }, 128)).toBe(128);
  });

  it('frames every example as <s> … </s>, long texts cut to 128 tokens', () => {
    const tok = makeTokenizer(json('tokenizer.json'), json('tokenizer_config.json'));
    const rows = readFileSync('public/datasets/brown-genre-test.jsonl', 'utf8').split('\n').slice(0, 40).join('\n');
    const labels = Object.values(config.id2label as Record<string, string>);
    const examples = encodeExamples(tok, rows, labels, inputLength(config, config.max_position_embeddings));
    expect(examples.length).toBe(40);
    for (const e of examples) {
      expect(e.ids[0]).toBe(0); // <s>
      expect(e.ids[e.ids.length - 1]).toBe(2); // </s>
      expect(e.ids.length).toBeLessThanOrEqual(128);
      // no pad, no other special inside: the GPT-2 vocabulary sits at 4 and up
      expect(Array.from(e.ids.slice(1, -1)).every((x) => x >= 4)).toBe(true);
    }
    expect(examples.filter((e) => e.ids.length === 128).length).toBeGreaterThan(0);
  });
});
