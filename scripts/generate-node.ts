/**
 * The independent greedy-generation reference: transformers.js' tokenizer and onnxruntime-node on
 * the same ONNX file, its own loop (the whole context again per token, as the lab does), sharing
 * no code with the lab's engine. Prints one JSON line: the new token ids and their text.
 *
 *   npx tsx scripts/generate-node.ts --prompt "The jury said" [--model public/models/brown-gpt2] [--tokens 24]
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { AutoTokenizer, env } from '@huggingface/transformers';

const { values: a } = parseArgs({
  options: {
    model: { type: 'string', default: 'public/models/brown-gpt2' },
    onnx: { type: 'string', default: 'onnx/model.onnx' },
    prompt: { type: 'string', default: 'The jury said' },
    tokens: { type: 'string', default: '24' },
  },
});
const dir = resolve(a.model!);
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = resolve(dir, '..') + '/';
const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
const window = Number(config.n_positions ?? config.max_position_embeddings ?? 1024);
const tok = await AutoTokenizer.from_pretrained(dir.split('/').pop()!, { local_files_only: true });
const session = await ort.InferenceSession.create(join(dir, a.onnx!));
const ids = Array.from(tok(a.prompt!).input_ids.data as BigInt64Array);
const fresh: bigint[] = [];
for (let i = 0; i < Number(a.tokens); i++) {
  const ctx = ids.slice(-window);
  const n = ctx.length;
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = { input_ids: new ort.Tensor('int64', BigInt64Array.from(ctx), [1, n]) };
  if (session.inputNames.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
  const out = (await session.run(feeds)).logits;
  const vocab = out.dims[2];
  const last = (out.data as Float32Array).subarray((n - 1) * vocab, n * vocab);
  let best = 0;
  for (let v = 1; v < vocab; v++) if (last[v] > last[best]) best = v;
  ids.push(BigInt(best));
  fresh.push(BigInt(best));
}
console.log(JSON.stringify({ tokens: fresh.map(Number), text: tok.decode(fresh) }));
