/**
 * The independent classification reference: transformers.js' tokenizer (truncation to the model's
 * positions) and onnxruntime-node on the same ONNX file, sharing no code with the lab's engine.
 * Prints one JSON line: accuracy and every prediction.
 *
 *   npx tsx scripts/classify-node.ts [--model public/models/brown-bert-genre] [--examples public/datasets/brown-genre-test.jsonl] [--limit N]
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { AutoTokenizer, env } from '@huggingface/transformers';

const { values: a } = parseArgs({
  options: {
    model: { type: 'string', default: 'public/models/brown-bert-genre' },
    onnx: { type: 'string', default: 'onnx/model.onnx' },
    examples: { type: 'string', default: 'public/datasets/brown-genre-test.jsonl' },
    limit: { type: 'string', default: '' },
  },
});
const dir = resolve(a.model!);
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = resolve(dir, '..') + '/';
const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
const labels: string[] = Object.keys(config.id2label).sort((x, y) => Number(x) - Number(y)).map((k) => config.id2label[k]);
let rows = readFileSync(a.examples!, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { text: string; label: string });
if (a.limit) rows = rows.slice(0, Number(a.limit));
const tok = await AutoTokenizer.from_pretrained(dir.split('/').pop()!, { local_files_only: true });
const session = await ort.InferenceSession.create(join(dir, a.onnx!));
// Hugging Face truncates to the tokenizer's model_max_length: RoBERTa's positions start at pad + 1, so
// max_position_embeddings (514 in roberta-base) is 2 more than the length it takes (512)
const positions = Number(config.max_position_embeddings ?? config.n_positions ?? 512);
const maxLength = Math.min(positions, Number(tok.model_max_length) || positions);
const predictions: number[] = [];
let correct = 0;
// Truncated as Hugging Face's Python tokenizers (and the classifier's training) do: the text cut to
// leave room for the special tokens, which stay. transformers.js' `truncation` instead cuts the
// finished sequence, dropping the closing [SEP] of every long text (212 of the 700 here).
const specials = Array.from(tok('', { add_special_tokens: true }).input_ids.data as BigInt64Array);
const plainOf = (text: string) => Array.from(tok(text, { add_special_tokens: false }).input_ids.data as BigInt64Array);
// a tokenizer with no special tokens (GPT-2's) puts nothing around the text
const [before, after] = specials.length ? [specials.slice(0, 1), specials.slice(1)] : [[], []];
for (const row of rows) {
  const ids = [...before, ...plainOf(row.text).slice(0, maxLength - specials.length), ...after];
  const n = ids.length;
  const t = (v: bigint[]) => new ort.Tensor('int64', BigInt64Array.from(v), [1, n]);
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = { input_ids: t(ids) };
  if (session.inputNames.includes('attention_mask')) feeds.attention_mask = t(ids.map(() => 1n));
  if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = t(ids.map(() => 0n));
  const logits = (await session.run(feeds)).logits.data as Float32Array;
  let best = 0;
  for (let c = 1; c < logits.length; c++) if (logits[c] > logits[best]) best = c;
  predictions.push(best);
  if (labels[best] === row.label) correct++;
}
console.log(JSON.stringify({ examples: rows.length, accuracy: correct / rows.length, predictions }));
