/**
 * The independent perplexity reference. It shares no code with the lab's engine (workers/): its
 * own windows, its own feeds, its own log-softmax, onnxruntime-node on the same ONNX file (its own
 * loader and external-data handling) and transformers.js' PreTrainedTokenizer on the model's own
 * tokenizer files (the engine uses @huggingface/tokenizers directly). A bug in the engine's
 * windowing or reduction therefore cannot cancel out of a comparison with it. Prints one JSON line.
 *
 *   npx tsx scripts/ppl-node.ts [--model public/models/brown-gpt2] [--onnx onnx/model.onnx]
 *       [--dataset public/datasets/brown-test.txt] [--tokens 2048] [--context 256] [--stride 256]
 *
 * Windows, written here from Hugging Face's "Perplexity of fixed-length models" recipe:
 *   for begin = 0, stride, 2·stride, …: end = min(begin + context, N); the window feeds
 *   ids[begin:end] and scores the positions in [max(previous end, begin + 1), end), each by the
 *   logits of the position before it; stop once end = N.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { env, PreTrainedTokenizer } from '@huggingface/transformers';

const { values: a } = parseArgs({
  options: {
    model: { type: 'string', default: 'public/models/brown-gpt2' },
    onnx: { type: 'string', default: 'onnx/model.onnx' },
    dataset: { type: 'string', default: 'public/datasets/brown-test.txt' },
    tokens: { type: 'string', default: '2048' },
    context: { type: 'string', default: '' },
    stride: { type: 'string', default: '' },
    // 'basic' keeps onnxruntime's extended rewrites out: on x86 they run DequantizeLinear → MatMul
    // as MatMulNBits 8-bit with 8-bit activations, which onnxruntime-web does not
    optimization: { type: 'string', default: 'all' },
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

/** Feeds for ids at batch 1: all-ones mask, positions 0.., logits kept for every position, and an empty past for a KV-cache decoder. */
function feedsFor(s: ort.InferenceSession, ids: number[]): Record<string, ort.Tensor> {
  const n = ids.length;
  const i64 = (xs: Iterable<number>) => BigInt64Array.from(xs, (x) => BigInt(x));
  const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', i64(ids), [1, n]) };
  const meta = s.inputMetadata as unknown as { name: string; shape?: (number | string)[] }[];
  for (const m of meta) {
    if (m.name === 'attention_mask') feeds[m.name] = new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
    else if (m.name === 'position_ids') {
      // (batch, seq), or (sections, batch, seq) in multimodal-RoPE models: text repeats 0.. in every section
      const sections = m.shape?.length === 3 ? Number(m.shape[0]) || 3 : 0;
      feeds[m.name] = sections
        ? new ort.Tensor('int64', i64(Array.from({ length: sections * n }, (_, i) => i % n)), [sections, 1, n])
        : new ort.Tensor('int64', i64(Array.from({ length: n }, (_, i) => i)), [1, n]);
    } else if (m.name === 'logits_to_keep' || m.name === 'num_logits_to_keep') {
      feeds[m.name] = new ort.Tensor('int64', new BigInt64Array(1), m.shape?.length ? [1] : []); // 0 = all positions
    }
    else if (m.name === 'use_cache_branch') feeds[m.name] = new ort.Tensor('bool', new Uint8Array([0]), [1]);
    else if (m.name.startsWith('past_key_values.')) {
      const [, heads, , headDim] = m.shape ?? [];
      feeds[m.name] = new ort.Tensor('float32', new Float32Array(0), [1, Number(heads), 0, Number(headDim)]);
    }
  }
  return feeds;
}

/** IEEE half bit patterns (an fp16 graph's logits) as floats: sign · 2^(e − 15) · 1.m, subnormals 2^−24 · m. */
function halvesToFloats(h: Uint16Array): Float32Array {
  return Float32Array.from(h, (x) => {
    const sign = x & 0x8000 ? -1 : 1;
    const e = (x >> 10) & 31;
    const m = x & 1023;
    if (e === 31) return m ? NaN : sign * Infinity;
    return sign * (e === 0 ? m * 2 ** -24 : (1 + m / 1024) * 2 ** (e - 15));
  });
}

/** log Σ exp(row) − row[target], by a log-sum-exp shifted by the row's max. */
function negLogProb(logits: Float32Array, row: number, vocab: number, target: number): number {
  const off = row * vocab;
  let m = -Infinity;
  for (let j = 0; j < vocab; j++) m = Math.max(m, logits[off + j]);
  let z = 0;
  for (let j = 0; j < vocab; j++) z += Math.exp(logits[off + j] - m);
  return m + Math.log(z) - logits[off + target];
}

async function main(): Promise<void> {
  const dir = a.model!;
  const config = readJson(join(dir, 'config.json'));
  const tokenizer = new PreTrainedTokenizer(readJson(join(dir, 'tokenizer.json')), readJson(join(dir, 'tokenizer_config.json'), true));
  const ids: number[] = tokenizer.encode(readFileSync(a.dataset!, 'utf8'));
  const nPositions = Number(config.n_positions ?? config.max_position_embeddings ?? 1024);
  const context = Number(a.context || nPositions);
  const stride = Number(a.stride || context);
  const tokens = Number(a.tokens);
  if (!(tokens >= 2 && tokens <= ids.length)) throw new Error(`--tokens must be in [2, ${ids.length}], got ${a.tokens}`);
  if (!(stride >= 1 && stride <= context)) throw new Error(`--stride must be in [1, context=${context}], got ${a.stride}`);

  const session = await ort.InferenceSession.create(join(dir, a.onnx!), { executionProviders: ['cpu'], graphOptimizationLevel: a.optimization as 'all' | 'basic' });
  const t0 = performance.now();
  let sum = 0;
  let scored = 0;
  let windows = 0;
  let prevEnd = 0;
  for (let begin = 0; prevEnd < tokens; begin += stride) {
    const end = Math.min(begin + context, tokens);
    const from = Math.max(prevEnd, begin + 1);
    if (from < end) {
      const out = (await session.run(feedsFor(session, ids.slice(begin, end)), ['logits'])).logits;
      const vocab = out.dims[out.dims.length - 1];
      const logits = out.type === 'float16' ? halvesToFloats(out.data as Uint16Array) : (out.data as Float32Array);
      for (let pos = from; pos < end; pos++) sum += negLogProb(logits, pos - 1 - begin, vocab, ids[pos]);
      scored += end - from;
      windows++;
    }
    prevEnd = end;
  }
  await session.release();
  console.log(JSON.stringify({
    ppl: Math.exp(sum / scored),
    meanNll: sum / scored,
    tokensScored: scored,
    windows,
    tokens,
    context,
    stride,
    datasetTokens: ids.length,
    backend: 'onnxruntime-node cpu',
    optimization: a.optimization,
    seconds: (performance.now() - t0) / 1000,
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
