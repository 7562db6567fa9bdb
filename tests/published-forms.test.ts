// Published forms that need no browser to check, in onnxruntime-node (the browser cases are in
// e2e/published-forms-2.spec.ts):
//   - the tiny Llama with bf16 weights + Cast, and computing in bf16 throughout (the lab converts
//     the latter to f32 as it loads: onnxruntime refuses bf16 Einsum / MatMul), from
//     tools/make_published_forms.py --variant bf16;
//   - the tiny Llama with weight-only QDQ int8 linears and a GatherBlockQuantized embedding
//     (--variant qdq);
//   - the random GPT-2 shape at its smallest (tools/make_random_model.py --shape gpt2-tiny --forms,
//     built into the git-ignored cache when missing, ~10 s) as KV-cache decoder, fp16, MatMulNBits
//     4-bit (+ GatherBlockQuantized embedding) and QDQ int8.
// Each: how the lab lists it, its float reference against the f32 model it was made from, and the
// published bytes the baseline evaluates against the file as onnxruntime-node runs it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, gatherFiles, type LoadedModel } from '../workers/model/load';
import { readF32, writeVariant } from '../workers/model/onnx-graph';
import { ort, pplOfBytes, ROOT } from './local-models';
import { ensureRandomGpt2Tiny, RANDOM_GPT2_TINY } from './random-gpt2-tiny';

const DATASET = join(ROOT, 'public/datasets/brown-test.txt');
const TEXT = readFileSync(DATASET, 'utf8').slice(0, 12_000);
const W = { tokens: 256, context: 256, stride: 256 };

function load(dir: string, graph = 'onnx/model.onnx'): LoadedModel {
  const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', graph].map((p) => {
    const b = readFileSync(join(dir, p));
    return { path: p, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  });
  return buildModel(gatherFiles(files), TEXT);
}
const formats = (m: LoadedModel) => {
  const counts = new Map<string, number>();
  for (const w of m.summary.published?.weights ?? []) {
    const k = `${w.format} ${w.bits}${w.blockSize ? ` b${w.blockSize}` : ''}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return Object.fromEntries(counts);
};
/** The f32 value of a bf16 (round to nearest even), as the fixture tool stores it. */
function bf16(v: Float32Array): Float32Array {
  const u = new Uint32Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  for (let i = 0; i < u.length; i++) u[i] = ((u[i] + 0x7fff + ((u[i] >>> 16) & 1)) >>> 16) << 16;
  return new Float32Array(u.buffer);
}
const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

const LLAMA = join(ROOT, 'e2e/fixtures/tiny-llama');

describe('the tiny Llama in bf16 (e2e/fixtures/tiny-llama-bf16)', () => {
  const dir = join(ROOT, 'e2e/fixtures/tiny-llama-bf16');
  it('bf16 weights + Cast: listed as bf16, float reference = the weights rounded to bf16, run as published', async () => {
    const m = load(dir);
    const plain = load(LLAMA);
    expect(m.summary.published?.compute).toBe('f32');
    // the 15 linear weights and the embedding table
    expect(formats(m)).toEqual({ 'bf16 16': 16 });
    expect(m.linear.map((w) => w.shape)).toEqual(plain.linear.map((w) => w.shape));
    m.linear.forEach((w, i) => expect(same(readF32(m.parsed.tensors.get(w.name)!), bf16(readF32(plain.parsed.tensors.get(plain.linear[i].name)!))), w.name).toBe(true));
    const published = await pplOfBytes(m, m.baselineBytes, W);
    const reference = await pplOfBytes(m, writeVariant(m.parsed, new Map()), W);
    const f32 = await pplOfBytes(plain, plain.baselineBytes, W);
    console.log(`tiny llama bf16 weights + Cast, 256 tokens, onnxruntime-node: published ppl ${published.toFixed(4)}, float reference ${reference.toFixed(4)}, f32 model ${f32.toFixed(4)}`);
    expect(Math.abs(published / reference - 1)).toBeLessThan(1e-6);
    expect(Math.abs(reference / f32 - 1)).toBeLessThan(0.01);
  }, 120_000);

  it('a graph computing in bf16: onnxruntime refuses it, the lab converts it on load to what bf16 weights + Cast compute', async () => {
    const file = readFileSync(join(dir, 'onnx/model_bf16.onnx'));
    const refused = await ort.InferenceSession.create(file).then(() => 'loaded', (e: Error) => e.message);
    console.log(`onnxruntime-node on the bf16 graph as published: ${refused.slice(0, 200)}`);
    expect(refused).toMatch(/bfloat16/);
    const m = load(dir, 'onnx/model_bf16.onnx');
    const cast = load(dir);
    expect(m.summary.published?.compute).toBe('bf16');
    expect(formats(m)).toEqual({ 'bf16 16': 16 });
    m.linear.forEach((w, i) => expect(same(readF32(m.parsed.tensors.get(w.name)!), readF32(cast.parsed.tensors.get(cast.linear[i].name)!)), w.name).toBe(true));
    // the baseline is the converted graph: no bf16 left in it, and it runs
    const converted = await pplOfBytes(m, m.baselineBytes, W);
    const asCast = await pplOfBytes(cast, cast.baselineBytes, W);
    console.log(`tiny llama computing in bf16, 256 tokens, onnxruntime-node: converted on load ppl ${converted.toFixed(4)}, bf16 weights + Cast ${asCast.toFixed(4)}`);
    // not equal: the graph's own constants (RoPE frequencies, the norm's epsilon, 1/√d) are bf16 in it too
    expect(Math.abs(converted / asCast - 1)).toBeLessThan(0.005);
    expect(converted).not.toBe(asCast);
  }, 120_000);
});

describe('the tiny Llama with QDQ int8 linears and a GatherBlockQuantized embedding (e2e/fixtures/tiny-llama-qdq)', () => {
  it('lists both formats, its float reference is within half a step, and the reference computes what the file does', async () => {
    const m = load(join(ROOT, 'e2e/fixtures/tiny-llama-qdq'));
    const plain = load(LLAMA);
    expect(m.summary.published?.compute).toBe('f32');
    expect(formats(m)).toEqual({ 'DequantizeLinear 8': 15, 'GatherBlockQuantized 4 b32': 1 });
    expect(m.linear.map((w) => [w.shape, w.layout])).toEqual(plain.linear.map((w) => [w.shape, w.layout]));
    // the tool quantizes attention projections per tensor (uint8, step (max − min) / 255) and the
    // rest per output column (int8, step max|column| / 127): every value within half its step
    for (const [i, w] of m.linear.entries()) {
      const orig = readF32(plain.parsed.tensors.get(plain.linear[i].name)!);
      const cols = w.shape[1];
      const perTensor = /(q|k|v|o)_proj/.test(plain.linear[i].node);
      const top = new Float64Array(perTensor ? 1 : cols);
      const bottom = new Float64Array(top.length);
      orig.forEach((v, j) => {
        const c = perTensor ? 0 : j % cols;
        top[c] = Math.max(top[c], perTensor ? v : Math.abs(v));
        bottom[c] = Math.min(bottom[c], v);
      });
      const halfStep = (j: number) => (perTensor ? (top[0] - bottom[0]) / 255 : top[j % cols] / 127) / 2;
      const off = readF32(m.parsed.tensors.get(w.name)!).findIndex((v, j) => Math.abs(v - orig[j]) > halfStep(j) * (1 + 1e-5) + 1e-7);
      expect(off, `${w.name}: first value further than half a step`).toBe(-1);
    }
    const published = await pplOfBytes(m, m.baselineBytes, W);
    const reference = await pplOfBytes(m, writeVariant(m.parsed, new Map()), W);
    const f32 = await pplOfBytes(plain, plain.baselineBytes, W);
    console.log(`tiny llama QDQ int8 + GatherBlockQuantized, 256 tokens, onnxruntime-node: published ppl ${published.toFixed(4)}, float reference ${reference.toFixed(4)}, f32 model ${f32.toFixed(4)}`);
    // onnxruntime's graph optimizer runs DequantizeLinear → MatMul as its own 8-bit arithmetic (the
    // activations quantized too), so the file and its exact float reference differ by that (~0.3 %)
    expect(Math.abs(published / reference - 1)).toBeLessThan(0.01);
    expect(Math.abs(reference / f32 - 1)).toBeLessThan(0.05);
  }, 120_000);
});

const RANDOM = RANDOM_GPT2_TINY;

describe.skipIf(!existsSync('/usr/bin/python3'))('the random GPT-2 shape, smallest (gpt2-tiny: 2 × 32, GPT-2 tokenizer)', () => {
  let plain: LoadedModel;
  let f32: number;
  beforeAll(async () => {
    ensureRandomGpt2Tiny();
    plain = load(RANDOM);
    f32 = await pplOfBytes(plain, plain.baselineBytes, W);
  }, 300_000);

  const cases: [string, string, Record<string, number>, string, number][] = [
    // graph, kind, listed formats, compute, |published / f32 − 1| at most
    ['decoder_model_merged.onnx', 'kv-cache', {}, 'f32', 1e-6],
    ['model_fp16.onnx', 'prefill', { 'fp16 16': 11 }, 'fp16', 0.005],
    ['model_q4.onnx', 'prefill', { 'MatMulNBits 4 b32': 9, 'GatherBlockQuantized 4 b32': 1 }, 'f32', 0.05],
    ['model_int8_qdq.onnx', 'prefill', { 'DequantizeLinear 8': 9 }, 'f32', 0.05],
  ];
  for (const [graph, kind, listed, compute, near] of cases) {
    it(graph, async () => {
      const m = load(RANDOM, `onnx/${graph}`);
      expect(m.summary.graphKind).toBe(kind);
      expect(formats(m)).toEqual(listed);
      if (graph !== 'decoder_model_merged.onnx') expect(m.summary.published?.compute).toBe(compute);
      // c_attn, attn.c_proj, c_fc, mlp.c_proj per block and the head (a transposed copy of the embedding)
      expect(m.linear.map((w) => w.shape)).toEqual(plain.linear.map((w) => w.shape));
      expect(m.linear.length).toBe(9);
      const published = await pplOfBytes(m, m.baselineBytes, W);
      const reference = await pplOfBytes(m, writeVariant(m.parsed, new Map()), W);
      console.log(`random gpt2-tiny ${graph}, 256 tokens, onnxruntime-node: published ppl ${published.toFixed(4)}, float reference ${reference.toFixed(4)}, f32 model ${f32.toFixed(4)}`);
      expect(Math.abs(published / f32 - 1)).toBeLessThan(near);
      expect(Math.abs(published / reference - 1)).toBeLessThan(compute === 'fp16' || graph.includes('qdq') ? 0.005 : 1e-3);
    }, 180_000);
  }
});
