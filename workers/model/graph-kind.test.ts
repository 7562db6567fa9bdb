// The graph kinds and the one feeds builder: a KV-cache decoder fed an empty past computes the
// same logits as the prefill graph (the demo LM ships both), in onnxruntime-node; the loader
// takes the decoder and says which kind it is.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchFeeds, decodeStepFeeds, emptyPastDims, graphKindOf, prefillFeeds, unfeedableInputs, type InputInfo } from './graph-kind';
import { buildModel, gatherFiles, type DroppedFile } from './load';

const DEMO = 'public/models/brown-gpt2';
const have = existsSync(join(DEMO, 'onnx/decoder_model_merged.onnx'));

describe('graph kinds', () => {
  it('tells prefill from kv-cache graphs and lists what it cannot feed', () => {
    expect(graphKindOf(['input_ids', 'attention_mask'])).toBe('prefill');
    expect(graphKindOf(['input_ids', 'attention_mask', 'past_key_values.0.key', 'past_key_values.0.value'])).toBe('kv-cache');
    expect(unfeedableInputs(['input_ids', 'past_key_values.11.value', 'use_cache_branch', 'pixel_values'])).toEqual(['pixel_values']);
  });
  it('an empty past is batch 1, length 0, heads and head size as declared', () => {
    expect(emptyPastDims({ name: 'p', shape: ['batch_size', 4, 'past_sequence_length', 64] })).toEqual([1, 4, 0, 64]);
    expect(() => emptyPastDims({ name: 'p', shape: ['b', 'heads', 'past', 64] })).toThrow(/dimension 1 is "heads"/);
  });
});

describe.skipIf(!have)('the demo LM\'s KV-cache decoder with an empty past', () => {
  const file = (path: string): DroppedFile => {
    const b = readFileSync(join(DEMO, path));
    return { path, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  };

  it('loads as kv-cache and computes the prefill graph\'s logits', async () => {
    const m = buildModel(gatherFiles(['config.json', 'tokenizer.json', 'onnx/decoder_model_merged.onnx'].map(file)), 'The jury said Friday that the election was conducted fairly.');
    expect(m.summary.graphKind).toBe('kv-cache');
    expect(m.summary.onnxPath).toBe('onnx/decoder_model_merged.onnx');
    expect(m.linear.length).toBeGreaterThan(0);
    const ort = (await import('onnxruntime-node')).default;
    const make = (type: string, data: unknown, dims: number[]) => new ort.Tensor(type as 'float32', data as Float32Array, dims);
    const ids = BigInt64Array.from(m.datasetIds, (x) => BigInt(x));
    const kv = await ort.InferenceSession.create(join(DEMO, 'onnx/decoder_model_merged.onnx'));
    const plain = await ort.InferenceSession.create(join(DEMO, 'onnx/model.onnx'));
    const a = (await kv.run(prefillFeeds(ids, kv.inputMetadata as never, make), ['logits'])).logits.data as Float32Array;
    const b = (await plain.run(prefillFeeds(ids, plain.inputMetadata as never, make), ['logits'])).logits.data as Float32Array;
    expect(a.length).toBe(b.length);
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
    expect(max).toBeLessThan(1e-4);
  });

  it('a batch of windows computes what each window computes alone, on both graph kinds', async () => {
    const ort = (await import('onnxruntime-node')).default;
    const make = (type: string, data: unknown, dims: number[]) => new ort.Tensor(type as 'float32', data as Float32Array, dims);
    const rows = [0, 1, 2].map((r) => BigInt64Array.from({ length: 8 }, (_, i) => BigInt((r * 97 + i * 13) % 8000)));
    for (const f of ['onnx/model.onnx', 'onnx/decoder_model_merged.onnx']) {
      const s = await ort.InferenceSession.create(join(DEMO, f));
      const batch = (await s.run(batchFeeds(rows, s.inputMetadata as never, make), ['logits'])).logits;
      expect(batch.dims.slice(0, 2)).toEqual([3, 8]);
      const per = batch.data.length / 3;
      for (let r = 0; r < 3; r++) {
        const alone = (await s.run(prefillFeeds(rows[r], s.inputMetadata as never, make), ['logits'])).logits.data as Float32Array;
        const mine = (batch.data as Float32Array).subarray(r * per, (r + 1) * per);
        let max = 0;
        for (let i = 0; i < per; i++) max = Math.max(max, Math.abs(mine[i] - alone[i]));
        expect(max, `${f} row ${r}`).toBeLessThan(1e-4);
      }
    }
  });
});

// Inputs published decoders have beside input_ids: position_ids of rank 3 (multimodal RoPE) and a
// scalar logits_to_keep. The extras fixture (tools/make_tiny_llama.py --variant extras) is the tiny
// Llama with the same weights as e2e/fixtures/tiny-llama, as a KV-cache decoder taking both: fed by
// the one feeds builder it must score exactly as the plain prefill graph does, and decode the same.
const LLAMA = 'e2e/fixtures/tiny-llama';
const EXTRAS = 'e2e/fixtures/tiny-llama-extras';
const DATASET = 'public/datasets/brown-test.txt';
const haveExtras = existsSync(join(EXTRAS, 'onnx/model.onnx')) && existsSync(join(LLAMA, 'onnx/model.onnx')) && existsSync(DATASET);

describe('feeds for 3-D position_ids and logits_to_keep', () => {
  const make = (type: string, data: unknown, dims: number[]) => ({ type, data: Array.from(data as ArrayLike<number | bigint>, Number), dims });
  it('position_ids follow the declared rank; logits_to_keep is 0 in the declared shape', () => {
    const inputs = [{ name: 'position_ids', shape: [3, 'batch', 'seq'] }, { name: 'logits_to_keep', shape: [] }, { name: 'num_logits_to_keep', shape: [1] }];
    const f = batchFeeds([BigInt64Array.from([7n, 8n]), BigInt64Array.from([9n, 10n])], inputs, make);
    expect(f.position_ids).toEqual({ type: 'int64', data: [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], dims: [3, 2, 2] });
    expect(f.logits_to_keep).toEqual({ type: 'int64', data: [0], dims: [] });
    expect(f.num_logits_to_keep).toEqual({ type: 'int64', data: [0], dims: [1] });
    expect(batchFeeds([BigInt64Array.from([7n, 8n])], [{ name: 'position_ids', shape: ['b', 's'] }], make).position_ids.dims).toEqual([1, 2]);
    const step = decodeStepFeeds(42, 6, [{ name: 'position_ids', shape: [3, 'b', 's'] }, { name: 'attention_mask' }, { name: 'logits_to_keep', shape: [] }], make);
    expect(step.position_ids).toEqual({ type: 'int64', data: [5, 5, 5], dims: [3, 1, 1] });
    expect(step.attention_mask.dims).toEqual([1, 6]);
    expect(step.input_ids.data).toEqual([42]);
    expect(unfeedableInputs(['input_ids', 'logits_to_keep', 'num_logits_to_keep', 'position_ids'])).toEqual([]);
  });
});

describe.skipIf(!haveExtras)('the tiny Llama with 3-D position_ids and logits_to_keep', () => {
  const file = (dir: string, path: string): DroppedFile => {
    const b = readFileSync(join(dir, path));
    return { path, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  };
  /** mean NLL over the windows' positions 1.., read from (1, n, vocab) logits */
  const meanNll = (logits: Float32Array, ids: BigInt64Array, vocab: number) => {
    let sum = 0;
    for (let p = 1; p < ids.length; p++) {
      const row = logits.subarray((p - 1) * vocab, p * vocab);
      const m = row.reduce((a, b) => Math.max(a, b), -Infinity);
      const z = row.reduce((a, v) => a + Math.exp(v - m), 0);
      sum += m + Math.log(z) - row[Number(ids[p])];
    }
    return sum / (ids.length - 1);
  };

  it('loads as a KV-cache decoder and scores exactly like the plain prefill graph (same weights)', async () => {
    const m = buildModel(gatherFiles(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].map((p) => file(EXTRAS, p))), readFileSync(DATASET, 'utf8').slice(0, 8000));
    expect(m.summary.graphKind).toBe('kv-cache');
    expect(m.summary.inputNames).toEqual(expect.arrayContaining(['position_ids', 'logits_to_keep']));
    expect(m.linear.length).toBe(2 * 7 + 1);
    const ort = (await import('onnxruntime-node')).default;
    const make = (type: string, data: unknown, dims: number[]) => new ort.Tensor(type as 'float32', data as Float32Array, dims);
    const extras = await ort.InferenceSession.create(m.baselineBytes);
    const plain = await ort.InferenceSession.create(join(LLAMA, 'onnx/model.onnx'));
    expect((extras.inputMetadata as unknown as InputInfo[]).find((i) => i.name === 'position_ids')?.shape).toEqual([3, 'batch', 'seq']);
    // four windows of 256 tokens (the fixture's context)
    let [a, b, n] = [0, 0, 0];
    for (let w = 0; w < 4; w++) {
      const ids = BigInt64Array.from(m.datasetIds.subarray(w * 256, (w + 1) * 256), (x) => BigInt(x));
      const la = (await extras.run(prefillFeeds(ids, extras.inputMetadata as never, make), ['logits'])).logits;
      const lb = (await plain.run(prefillFeeds(ids, plain.inputMetadata as never, make), ['logits'])).logits;
      expect(la.dims).toEqual([1, 256, 8192]);
      a += meanNll(la.data as Float32Array, ids, 8192);
      b += meanNll(lb.data as Float32Array, ids, 8192);
      n++;
    }
    const [pplExtras, pplPlain] = [Math.exp(a / n), Math.exp(b / n)];
    console.log(`tiny llama, 4 × 256 tokens, onnxruntime-node: ppl with 3-D position_ids + logits_to_keep ${pplExtras.toFixed(4)}, plain prefill graph ${pplPlain.toFixed(4)}`);
    expect(Math.abs(pplExtras / pplPlain - 1)).toBeLessThan(1e-6);
    // a fed position that is wrong must show: every section at position 0 changes the logits
    const ids = BigInt64Array.from(m.datasetIds.subarray(0, 16), (x) => BigInt(x));
    const wrong = prefillFeeds(ids, extras.inputMetadata as never, make);
    wrong.position_ids = make('int64', new BigInt64Array(3 * 16), [3, 1, 16]);
    const right = (await extras.run(prefillFeeds(ids, extras.inputMetadata as never, make), ['logits'])).logits.data as Float32Array;
    const bad = (await extras.run(wrong, ['logits'])).logits.data as Float32Array;
    expect(right.some((v, i) => Math.abs(v - bad[i]) > 1e-3)).toBe(true);
    // batches and decode steps on the cache: greedy tokens equal the plain graph re-run on the whole prefix
    const rows = [0, 1].map((r) => BigInt64Array.from(m.datasetIds.subarray(r * 32, r * 32 + 32), (x) => BigInt(x)));
    const batch = (await extras.run(batchFeeds(rows, extras.inputMetadata as never, make), ['logits'])).logits.data as Float32Array;
    const alone = (await extras.run(prefillFeeds(rows[1], extras.inputMetadata as never, make), ['logits'])).logits.data as Float32Array;
    expect(alone.reduce((mx, v, i) => Math.max(mx, Math.abs(v - batch[alone.length + i])), 0)).toBeLessThan(1e-4);
    const argmaxLast = (l: Float32Array) => {
      const row = l.subarray(l.length - 8192);
      return row.indexOf(row.reduce((x, y) => Math.max(x, y), -Infinity));
    };
    const outNames = ['logits', ...extras.outputNames.filter((o) => o.startsWith('present.'))];
    let out = await extras.run(prefillFeeds(rows[0].subarray(0, 8), extras.inputMetadata as never, make), outNames);
    const cached: number[] = [];
    const prefix = Array.from(rows[0].subarray(0, 8), Number);
    const plainGreedy: number[] = [];
    for (let s = 0; s < 6; s++) {
      const next = argmaxLast(out.logits.data as Float32Array);
      cached.push(next);
      const ref = (await plain.run(prefillFeeds(BigInt64Array.from(prefix, BigInt), plain.inputMetadata as never, make), ['logits'])).logits.data as Float32Array;
      plainGreedy.push(argmaxLast(ref));
      prefix.push(plainGreedy[s]);
      const feeds = decodeStepFeeds(next, prefix.length, extras.inputMetadata as never, make);
      for (const o of outNames.slice(1)) (feeds as Record<string, unknown>)[o.replace('present.', 'past_key_values.')] = out[o];
      out = await extras.run(feeds as never, outNames);
    }
    expect(cached).toEqual(plainGreedy);
  }, 120_000);
});
