/**
 * The independent perplexity reference: onnxruntime-node on the same ONNX file (its own loader,
 * its own external-data handling), transformers.js' PreTrainedTokenizer on the model's own
 * tokenizer files (the browser engine uses @huggingface/tokenizers directly), and the same
 * windows and NLL reduction (workers/eval/windows.ts, pure code). Prints one JSON line.
 *
 *   npx tsx scripts/ppl-node.ts [--model public/models/brown-gpt2] [--onnx onnx/model.onnx]
 *       [--dataset public/datasets/brown-test.txt] [--tokens 2048] [--context 256] [--stride 256]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { env, PreTrainedTokenizer } from '@huggingface/transformers';
import { slidingPerplexity } from '../workers/eval/windows';
import { windowRunner } from '../tests/local-models';

const { values: a } = parseArgs({
  options: {
    model: { type: 'string', default: 'public/models/brown-gpt2' },
    onnx: { type: 'string', default: 'onnx/model.onnx' },
    dataset: { type: 'string', default: 'public/datasets/brown-test.txt' },
    tokens: { type: 'string', default: '2048' },
    context: { type: 'string', default: '' },
    stride: { type: 'string', default: '' },
  },
});

env.allowRemoteModels = false;

const readJson = (p: string, optional = false): Record<string, unknown> => {
  try {
    return JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    if (optional) return {};
    throw e;
  }
};

async function main(): Promise<void> {
  const dir = a.model!;
  const config = readJson(join(dir, 'config.json'));
  const tokenizer = new PreTrainedTokenizer(readJson(join(dir, 'tokenizer.json')), readJson(join(dir, 'tokenizer_config.json'), true));
  const ids: number[] = tokenizer.encode(readFileSync(a.dataset!, 'utf8'));
  const nPositions = Number(config.n_positions ?? config.max_position_embeddings ?? 1024);
  const context = Number(a.context || nPositions);
  const stride = Number(a.stride || context);
  const tokens = Number(a.tokens);

  const session = await ort.InferenceSession.create(join(dir, a.onnx!), { executionProviders: ['cpu'] });
  const t0 = performance.now();
  const r = await slidingPerplexity(ids, { tokens, context, stride }, windowRunner(session));
  await session.release();
  console.log(JSON.stringify({
    ...r,
    tokens,
    context,
    stride,
    datasetTokens: ids.length,
    backend: 'onnxruntime-node cpu',
    seconds: (performance.now() - t0) / 1000,
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
