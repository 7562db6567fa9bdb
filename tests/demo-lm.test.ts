/**
 * Each shipped demo LM is what its model card says: onnxruntime-node loads both exports, the
 * tokenizer (transformers.js, local files only) round-trips text, perplexity over the whole
 * test text matches metrics.json, and greedy generation with and without the KV cache agrees.
 * The whole-text perplexity is scored in the graph (the lab's evaluation graph, ReduceLogSumExp
 * form, appended to the shipped bytes: onnxruntime-node returns one NLL per token): the JS
 * log-softmax over 125 k rows × 8192 logits was most of this file's 70 s. That the in-graph NLL
 * equals the written-out log-softmax is workers/eval/kl.test.ts's check.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AutoModelForCausalLM, Tensor } from '@huggingface/transformers';
import { scoreWindows, type RunScored } from '../workers/eval/score';
import { OUT, scoredModel, TARGETS } from '../workers/eval/scored-graph';
import { DATASETS, DEMO_LMS, ort, readJson, session, tokenizer, modelFile } from './local-models';

/** One window through the scored graph in onnxruntime-node: the NLL and top-1 of every row. */
async function scoredSession(model: string): Promise<RunScored> {
  const s = await ort.InferenceSession.create(scoredModel(new Uint8Array(readFileSync(modelFile(model, 'onnx/model.onnx'))), { logSumExp: true }), { executionProviders: ['cpu'] });
  return async (ids, targets) => {
    const n = ids.length;
    const feeds = { input_ids: new ort.Tensor('int64', ids, [1, n]), attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]), [TARGETS]: new ort.Tensor('int64', targets, [1, n, 1]) };
    const out = await s.run(feeds, [OUT.nll, OUT.top1]);
    return { nll: out[OUT.nll].data as Float32Array, top1: out[OUT.top1].data as Int32Array, bytes: 0 };
  };
}

for (const MODEL of DEMO_LMS) describe(`demo LM ${MODEL}`, () => {
  it('has a config and metrics that describe it', () => {
    const config = readJson(modelFile(MODEL, 'config.json'));
    expect(config.model_type).toBe('gpt2');
    expect(config.n_positions).toBe(256);
    expect(config.vocab_size).toBeLessThanOrEqual(8192);
    const metrics = readJson(modelFile(MODEL, 'metrics.json'));
    expect(metrics).toMatchObject({ context: 256, stride: 256 });
    expect(metrics.test_ppl).toBeGreaterThan(1);
  });

  it('tokenizer round-trips text, including bytes outside the vocabulary', async () => {
    const tok = await tokenizer(MODEL);
    for (const text of [
      'The jury said Friday that the election was "conducted" fairly.',
      '  spaces,\ttabs\nand newlines  ',
      'naïve café — 1961 → ∞ 🙂',
    ]) {
      const ids = tok.encode(text);
      expect(tok.decode(ids)).toBe(text);
    }
  });

  it('both ONNX exports load in onnxruntime-node with the expected inputs and outputs', async () => {
    const plain = await session(MODEL);
    expect(plain.inputNames).toEqual(['input_ids', 'attention_mask']);
    expect(plain.outputNames).toEqual(['logits']);
    const cached = await session(MODEL, 'onnx/decoder_model_merged.onnx');
    expect(cached.inputNames).toContain('past_key_values.0.key');
    expect(cached.outputNames).toContain('present.0.value');
  });

  it('test perplexity in onnxruntime-node equals metrics.json within 0.5 %', async () => {
    const metrics = readJson(modelFile(MODEL, 'metrics.json'));
    const tok = await tokenizer(MODEL);
    const ids = tok.encode(readFileSync(path.join(DATASETS, 'brown-test.txt'), 'utf8'));
    expect(ids.length).toBe(metrics.tokens);
    const scores = await scoreWindows(ids, { tokens: ids.length, context: 256, stride: 256 }, await scoredSession(MODEL));
    expect(scores.nll.length).toBe(metrics.tokens_scored);
    expect(scores.windows).toBe(metrics.windows);
    let sum = 0;
    for (const x of scores.nll) sum += x;
    const ppl = Math.exp(sum / scores.nll.length);
    console.log(`${MODEL}: test ppl ${ppl.toFixed(4)} (metrics.json ${metrics.test_ppl.toFixed(4)}) on ${scores.nll.length} tokens in ${scores.windows} windows`);
    expect(Math.abs(ppl / metrics.test_ppl - 1)).toBeLessThan(0.005);
  });

  it('greedy generation of 20 tokens is identical with and without the KV-cache export', async () => {
    const tok = await tokenizer(MODEL);
    const prompt = 'The jury said';
    const promptIds = tok.encode(prompt);

    const cached = await AutoModelForCausalLM.from_pretrained(MODEL, {
      local_files_only: true, model_file_name: 'decoder_model_merged', dtype: 'fp32',
    });
    const inputs = tok(prompt);
    const out = (await cached.generate({ ...inputs, max_new_tokens: 20, do_sample: false, min_new_tokens: 20 })) as Tensor;
    const withCache = Array.from(out.data as BigInt64Array, Number).slice(promptIds.length);

    // model.onnx has no cache: transformers.js' generate() assumes one, so decode greedily by
    // calling the model on the whole sequence each step.
    const plain = await AutoModelForCausalLM.from_pretrained(MODEL, {
      local_files_only: true, model_file_name: 'model', dtype: 'fp32',
    });
    const seq = [...promptIds];
    for (let step = 0; step < 20; step++) {
      const ids = new Tensor('int64', BigInt64Array.from(seq.map(BigInt)), [1, seq.length]);
      const mask = new Tensor('int64', BigInt64Array.from(seq.map(() => 1n)), [1, seq.length]);
      const { logits } = await plain({ input_ids: ids, attention_mask: mask });
      const vocab = logits.dims[2];
      const last = (logits.data as Float32Array).subarray((seq.length - 1) * vocab, seq.length * vocab);
      let best = 0;
      for (let v = 1; v < vocab; v++) if (last[v] > last[best]) best = v;
      seq.push(best);
    }
    const withoutCache = seq.slice(promptIds.length);
    expect(withCache).toHaveLength(20);
    expect(withoutCache).toEqual(withCache);
    console.log(`greedy continuation: ${JSON.stringify(tok.decode(withCache))}`);
  });
});
