// Attention-head pruning on real graphs, in onnxruntime-node: the default demo LM (GPT-2: fused
// c_attn cut in q|k|v thirds by a Split) and the tiny Llama fixture (separate q/k/v, grouped-query
// attention: 4 query heads on 2 KV heads, pruned as whole KV groups, with repeat_kv and rotary
// embeddings in between). The rewritten graph runs, has fewer parameters and bytes, and its logits
// equal those of a reference made here independently: the float model with the removed heads'
// Q/K/V columns, their bias entries and their rows of the output projection set to zero.
// The heads removed are checked against norms computed here in f64.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Job } from '../jobs';
import type { LoadedModel } from '../model/load';
import { existsSync, readFileSync } from 'node:fs';
import { findLinearWeights, parseModel, readF32, writeVariant } from '../model/onnx-graph';
import { loadDemoLm, loadFolder, logitsOfBytes as logits, ort, pplOfBytes } from '../../tests/local-models';
import { findAttentions, type Attention } from './attention-heads';
import { makeVariant } from './make-variant';
import { planStructured, writeStructuredModel } from './structured';

const TINY = 'brown-gpt2-tiny';
const haveTiny = existsSync(`public/models/${TINY}/onnx/model.onnx`);
const LLAMA = 'e2e/fixtures/tiny-llama';
const haveLlama = existsSync(join(LLAMA, 'onnx/model.onnx'));


/** Output channels [from, to) of each removed unit, per segment; rows of O. Written with the test's own loops. */
function removedChannels(a: Attention, keep: Uint8Array) {
  const q: number[] = [];
  const kv: number[] = [];
  keep.forEach((k, u) => {
    if (k) return;
    for (let c = 0; c < a.group * a.headDim; c++) q.push(u * a.group * a.headDim + c);
    for (let c = 0; c < a.headDim; c++) kv.push(u * a.headDim + c);
  });
  return { q, kv };
}

function zeroedReference(model: LoadedModel, attentions: Attention[], keeps: Uint8Array[]): Uint8Array {
  const replace = new Map<string, Float32Array>();
  const get = (name: string) => replace.get(name) ?? readF32(model.parsed.tensors.get(name)!).slice();
  attentions.forEach((a, i) => {
    const { q, kv } = removedChannels(a, keeps[i]);
    for (const [s, chans] of [[a.q, q], [a.k, kv], [a.v, kv]] as const) {
      const w = get(s.weight.name);
      const [rows, cols] = s.weight.shape; // MatMul (in, out): channel = column
      for (const c of chans) for (let r = 0; r < rows; r++) w[r * cols + s.offset + c] = 0;
      replace.set(s.weight.name, w);
      if (s.bias) {
        const b = get(s.bias);
        for (const c of chans) b[s.offset + c] = 0;
        replace.set(s.bias, b);
      }
    }
    const o = get(a.o.name);
    const cols = a.o.shape[1];
    for (const r of q) o.fill(0, r * cols, (r + 1) * cols);
    replace.set(a.o.name, o);
  });
  return writeVariant(model.parsed, replace);
}

/** f64 squared norm per unit of every weight it alone uses. */
function f64Scores(model: LoadedModel, a: Attention): number[] {
  const s = new Array<number>(a.units).fill(0);
  const add = (name: string, offset: number, width: number, alongCols: boolean, cols: number, rows: number) => {
    const v = readF32(model.parsed.tensors.get(name)!);
    for (let u = 0; u < a.units; u++) {
      for (let c = offset + u * width; c < offset + (u + 1) * width; c++) {
        for (let r = 0; r < (alongCols ? rows : cols); r++) s[u] += (alongCols ? v[r * cols + c] : v[c * cols + r]) ** 2;
      }
    }
  };
  for (const [seg, width] of [[a.q, a.group * a.headDim], [a.k, a.headDim], [a.v, a.headDim]] as const) {
    add(seg.weight.name, seg.offset, width, true, seg.weight.shape[1], seg.weight.shape[0]);
    if (seg.bias) add(seg.bias, seg.offset, width, true, model.parsed.tensors.get(seg.bias)!.params, 1);
  }
  add(a.o.name, 0, a.group * a.headDim, false, a.o.shape[1], a.o.shape[0]);
  return s;
}

async function checkAgainstZeroed(model: LoadedModel, ratio: number, ids: Int32Array) {
  const plan = await planStructured(model.parsed, model.linear, { ratio, unit: 'heads' }, 'cpu');
  const { attentions } = plan.heads!.search;
  attentions.forEach((a, i) => {
    const keep = plan.heads!.keep[i];
    const removed = [...keep.keys()].filter((u) => !keep[u]);
    expect(removed.length).toBe(Math.min(a.units - 1, Math.round(ratio * a.units)));
    const s = f64Scores(model, a);
    const kept = [...keep.keys()].filter((u) => keep[u]);
    expect(Math.max(...removed.map((u) => s[u]))).toBeLessThanOrEqual(Math.min(...kept.map((u) => s[u])) * (1 + 1e-5));
  });
  const v = await makeVariant(model, { method: 'structured-prune', options: { ratio, unit: 'heads' } }, 'cpu', new Job(`heads-${ratio}`), { simulated: true });
  const written = parseModel(v.packedBytes);
  let params = 0;
  for (const t of written.tensors.values()) params += t.params;
  expect(v.summary.totalParams).toBe(params);
  // every removed head takes its Q/K/V columns (+ biases) and O rows with it
  let removedWeights = 0;
  attentions.forEach((a, i) => {
    const units = a.units - plan.heads!.keep[i].reduce((x, y) => x + y, 0);
    const inDim = a.q.weight.shape[0];
    const perUnit = inDim * (a.group + 2) * a.headDim + a.group * a.headDim * a.o.shape[1] + (a.q.bias ? (a.group + 2) * a.headDim : 0);
    removedWeights += units * perUnit;
    const keptQ = (a.units - units) * a.group * a.headDim;
    expect(written.tensors.get(a.o.name)!.dims[0]).toBe(keptQ);
  });
  // the rest that went is the old shape arithmetic's int64 constants (a few per block)
  expect(model.summary.totalParams - params).toBeGreaterThanOrEqual(removedWeights);
  expect(model.summary.totalParams - params - removedWeights).toBeLessThan(50 * attentions.length);
  expect(v.packedBytes.length).toBeLessThan(model.baselineBytes.length - removedWeights * 4 * 0.99);
  const got = await logits(v.packedBytes, ids);
  const want = await logits(zeroedReference(model, attentions, plan.heads!.keep), ids);
  const twin = await logits(v.simulatedBytes!, ids);
  const base = await logits(model.baselineBytes, ids);
  let maxDiff = 0;
  let baseDiff = 0;
  for (let i = 0; i < want.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]), Math.abs(twin[i] - want[i]));
    baseDiff = Math.max(baseDiff, Math.abs(base[i] - want[i]));
  }
  return { v, maxDiff, baseDiff, params, removedWeights };
}

describe.skipIf(!haveTiny)(`attention-head pruning on ${TINY} (GPT-2, fused c_attn)`, () => {
  const model = haveTiny ? loadDemoLm(TINY) : undefined!;
  const ids = haveTiny ? model.datasetIds.subarray(0, 128) : new Int32Array();

  it('finds every block\'s attention: c_attn cut in q|k|v thirds, 4 heads of 16, no KV groups', () => {
    const { attentions, skipped } = findAttentions(model.parsed, model.linear);
    expect(skipped).toEqual([]);
    expect(attentions.map((a) => a.label)).toEqual(['block 0', 'block 1', 'block 2', 'block 3']);
    for (const a of attentions) {
      expect([a.q.heads, a.k.heads, a.v.heads, a.headDim, a.group]).toEqual([4, 4, 4, 16, 1]);
      expect(a.q.weight.name).toMatch(/attn\.c_attn\.weight$/);
      expect([a.q.offset, a.k.offset, a.v.offset]).toEqual([0, 64, 128]);
      expect(a.q.bias).toMatch(/attn\.c_attn\.bias$/);
      expect(a.o.name).toMatch(/attn\.c_proj\.weight$/);
      expect(a.split).toBeDefined();
      expect(a.splitHeads.length).toBe(3);
    }
  });

  it.each([0.25, 0.5])('%s of the heads: the rewritten graph runs, is smaller, and equals the zeroed model', async (ratio) => {
    const { v, maxDiff, baseDiff, params } = await checkAgainstZeroed(model, ratio, ids);
    const w = { tokens: 1024, context: 256, stride: 256 };
    const ppl = await pplOfBytes(model, v.packedBytes, w);
    const basePpl = await pplOfBytes(model, model.baselineBytes, w);
    console.log(`heads ${ratio * 100} %: params ${params} of ${model.summary.totalParams}, ${v.packedBytes.length} bytes (base ${model.baselineBytes.length}), ${v.summary.bitsPerWeight.toFixed(2)} bits/weight, ppl ${ppl.toFixed(3)} (base ${basePpl.toFixed(3)}, 1,024 tokens, onnxruntime-node); max |Δlogit| vs zeroed ${maxDiff.toExponential(2)}, vs base ${baseDiff.toFixed(2)}`);
    expect(v.summary.label).toBe(`structured ${ratio * 100} % attention heads`);
    expect(v.summary.format).toBe(`f32, graph rewritten: attention heads kept ${4 - 4 * ratio}/4 in each of 4 blocks`);
    expect(v.summary.storage).toBe('packed');
    expect(maxDiff).toBeLessThan(1e-4);
    expect(baseDiff).toBeGreaterThan(1e-2);
    expect(ppl).toBeGreaterThan(basePpl);
  });
});

describe.skipIf(!haveTiny)(`attention-head pruning on ${TINY}'s KV-cache decoder`, () => {
  it('the past and present declare the heads kept; prefill on an empty past and a step on the cache equal the pruned plain graph', async () => {
    const model = loadDemoLm(TINY);
    const kv = parseModel(new Uint8Array(readFileSync(`public/models/${TINY}/onnx/decoder_model_merged.onnx`)));
    const opts = { ratio: 0.25, unit: 'heads' } as const;
    const pruned = writeStructuredModel(kv, await planStructured(kv, findLinearWeights(kv), opts, 'cpu')).bytes;
    const plain = writeStructuredModel(model.parsed, await planStructured(model.parsed, model.linear, opts, 'cpu')).bytes;
    const s = await ort.InferenceSession.create(pruned, { executionProviders: ['cpu'] });
    const dims = (s.inputMetadata as unknown as { name: string; shape: (number | string)[] }[]).find((i) => i.name === 'past_key_values.0.key')!.shape;
    expect(dims[1]).toBe(3);
    const ids = model.datasetIds.subarray(0, 33);
    const run = async (tokens: Int32Array, past: Record<string, ort.Tensor> | undefined, seen: number) => {
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(tokens, BigInt), [1, tokens.length]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(seen + tokens.length).fill(1n), [1, seen + tokens.length]),
      };
      for (let l = 0; l < 4; l++) {
        for (const kv2 of ['key', 'value']) feeds[`past_key_values.${l}.${kv2}`] = past?.[`present.${l}.${kv2}`] ?? new ort.Tensor('float32', new Float32Array(0), [1, 3, 0, 16]);
      }
      return s.run(feeds);
    };
    const want = await logits(plain, ids);
    const vocab = want.length / ids.length;
    const prefill = await run(ids.subarray(0, 32), undefined, 0);
    const step = await run(ids.subarray(32), prefill as Record<string, ort.Tensor>, 32);
    const got = new Float32Array([...(prefill.logits.data as Float32Array), ...(step.logits.data as Float32Array)]);
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
    expect(got.length).toBe(33 * vocab);
    expect(maxDiff).toBeLessThan(1e-4);
  });
});

describe.skipIf(!haveLlama)('attention-head pruning on the tiny Llama (GQA, rotary)', () => {
  it('prunes whole KV groups: K/V heads go with their query heads; the graph runs and equals the zeroed model', async () => {
    const model = loadFolder(LLAMA);
    const { attentions, skipped } = findAttentions(model.parsed, model.linear);
    expect(skipped).toEqual([]);
    expect(attentions.length).toBe(2);
    for (const a of attentions) {
      expect([a.q.heads, a.k.heads, a.headDim, a.group, a.units]).toEqual([4, 2, 10, 2, 2]);
      expect(new Set([a.q.weight.name, a.k.weight.name, a.v.weight.name]).size).toBe(3);
      expect(a.repeat.length).toBe(2);
      expect(a.emptyPast.length).toBe(2);
    }
    const { v, maxDiff, baseDiff } = await checkAgainstZeroed(model, 0.5, model.datasetIds.subarray(0, 32));
    expect(v.summary.format).toBe('f32, graph rewritten: attention heads kept 2/4 (KV groups 1/2) in each of 2 blocks');
    expect(maxDiff).toBeLessThan(1e-4);
    expect(baseDiff).toBeGreaterThan(0);
  });
});
