// Optimum's merged decoder (e2e/fixtures/tiny-llama-merged, tools/make_merged_decoder_fixture.py):
// the with-cache branch inlined is a plain KV-cache decoder whose weights are the outer graph's,
// and in onnxruntime-node it computes what the published If computes: fed an empty past, the
// no-cache branch's logits; fed a past, the with-cache branch's logits and presents.
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { inlineCacheBranch } from './merged-decoder';
import { decodeModel, findLinearWeights, indexModel, writeVariant } from './onnx-graph';

const FILE = 'e2e/fixtures/tiny-llama-merged/onnx/decoder_model_merged.onnx';
const PAST = (n: number) => [0, 1].flatMap((i) => [`past_key_values.${i}.key`, `past_key_values.${i}.value`]).slice(0, n);

describe('merged decoder (use_cache_branch)', () => {
  const published = readFileSync(FILE);
  const proto = decodeModel(new Uint8Array(published));
  const note = inlineCacheBranch(proto, FILE);
  const parsed = indexModel(proto);

  it('is inlined into a KV-cache decoder whose linear weights are the outer initializers', () => {
    expect(note).toMatch(/use_cache_branch/);
    // (the tiny Llama ignores attention_mask, so the exporter dropped it)
    expect(parsed.inputNames).toEqual(['input_ids', ...PAST(4)]);
    expect(proto.graph!.node.some((n) => n.opType === 'If')).toBe(false);
    expect(findLinearWeights(parsed).length).toBe(15);
    expect(inlineCacheBranch(decodeModel(writeVariant(parsed, new Map())), FILE)).toBeUndefined();
  });

  it('onnxruntime-node: the inlined graph = the published If, without a past and with one', async () => {
    const inlined = await ort.InferenceSession.create(writeVariant(parsed, new Map()));
    const merged = await ort.InferenceSession.create(published);
    const ids = (xs: number[]) => new ort.Tensor('int64', BigInt64Array.from(xs, BigInt), [1, xs.length]);
    const past = (len: number, fill: (i: number) => number) => Object.fromEntries(PAST(4).map((name, j) => [name, new ort.Tensor('float32', Float32Array.from({ length: 2 * len * 10 }, (_, i) => fill(i + j)), [1, 2, len, 10])]));
    const flag = (on: boolean) => ({ use_cache_branch: new ort.Tensor('bool', new Uint8Array([on ? 1 : 0]), [1]) });
    // prefill: empty past (the inlined graph) vs the no-cache branch
    const prompt = [5, 17, 300, 41, 8, 999];
    const a = await inlined.run({ input_ids: ids(prompt), ...past(0, () => 0) });
    const b = await merged.run({ input_ids: ids(prompt), ...past(0, () => 0), ...flag(false) });
    const close = (x: Float32Array, y: Float32Array) => Math.max(...x.map((v, i) => Math.abs(v - y[i])));
    expect(close(a.logits.data as Float32Array, b.logits.data as Float32Array)).toBeLessThan(1e-4);
    // a decode step on a past: both run the with-cache branch
    const step = { input_ids: ids([77]), ...past(3, (i) => Math.sin(i)) };
    const c = await inlined.run(step);
    const d = await merged.run({ ...step, ...flag(true) });
    expect(Array.from(c.logits.data as Float32Array)).toEqual(Array.from(d.logits.data as Float32Array));
    expect(Array.from(c['present.1.value'].data as Float32Array)).toEqual(Array.from(d['present.1.value'].data as Float32Array));
    await Promise.all([inlined.release(), merged.release()]);
  });
});
