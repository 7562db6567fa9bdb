// The graph kinds and the one feeds builder: a KV-cache decoder fed an empty past computes the
// same logits as the prefill graph (the demo LM ships both), in onnxruntime-node; the loader
// takes the decoder and says which kind it is.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchFeeds, emptyPastDims, graphKindOf, prefillFeeds, unfeedableInputs } from './graph-kind';
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
