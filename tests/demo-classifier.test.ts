/**
 * The shipped genre classifier is what its model card says: onnxruntime-node loads it and its
 * accuracy on the shipped test set, tokenized by transformers.js from the local tokenizer files,
 * equals metrics.json within 0.5 points.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASETS, int64, modelFile, readJson, session, tokenizer } from './local-models';

const MODEL = 'brown-bert-genre';

describe('demo classifier brown-bert-genre', () => {
  it('config names its labels as metrics.json does', () => {
    const config = readJson(modelFile(MODEL, 'config.json'));
    const metrics = readJson(modelFile(MODEL, 'metrics.json'));
    expect(config.model_type).toBe('bert');
    expect(Object.values(config.id2label)).toEqual(metrics.labels);
  });

  it('test accuracy in onnxruntime-node equals metrics.json within 0.5 points', async () => {
    const metrics = readJson(modelFile(MODEL, 'metrics.json'));
    const labels: string[] = metrics.labels;
    const rows = readFileSync(path.join(DATASETS, 'brown-genre-test.jsonl'), 'utf8')
      .split('\n').filter(Boolean).map((l) => JSON.parse(l) as { text: string; label: string });
    expect(rows.length).toBe(metrics.test_examples);
    const tok = await tokenizer(MODEL);
    const s = await session(MODEL);
    let correct = 0;
    const predicted = new Array(labels.length).fill(0);
    for (const row of rows) {
      // [CLS] … [SEP] from the tokenizer's post-processor, truncated to the model's 128 positions
      const enc = tok(row.text, { truncation: true, max_length: 128 });
      const ids = Array.from(enc.input_ids.data as BigInt64Array, Number);
      expect(ids.length).toBeLessThanOrEqual(128);
      const out = await s.run({
        input_ids: int64(ids, [1, ids.length]),
        attention_mask: int64(ids.map(() => 1), [1, ids.length]),
        token_type_ids: int64(ids.map(() => 0), [1, ids.length]),
      });
      const logits = out.logits.data as Float32Array;
      let best = 0;
      for (let c = 1; c < logits.length; c++) if (logits[c] > logits[best]) best = c;
      predicted[best]++;
      if (labels[best] === row.label) correct++;
    }
    const accuracy = correct / rows.length;
    console.log(`accuracy ${accuracy.toFixed(4)} (metrics.json ${metrics.test_accuracy.toFixed(4)}), predictions per label ${predicted}`);
    expect(Math.abs(accuracy - metrics.test_accuracy)).toBeLessThan(0.005);
    expect(accuracy).toBeGreaterThan(1 / labels.length + 0.1); // clearly better than chance
  });
});
