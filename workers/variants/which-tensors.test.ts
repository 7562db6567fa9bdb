// Which tensors (issue 9): every linear weight but the LM head by default; the head only when the
// spec opts in (head: true), when it is the embedding table opted in (tied), or when an override
// names it. On the tiny Llama (untied head, 8,192 × 40) the default leaves the head's f32 bytes as
// they were, counts them at 32 bits and names the head in leftFloat; calibrated methods skip it
// unless opted in; global pruning sets its threshold over the weights it prunes.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Job } from '../jobs';
import { parseModel, readF32 } from '../model/onnx-graph';
import { lmHeadOf } from '../model/lm-head';
import { loadDemoLm, loadFolder, logitsOfBytes as logits } from '../../tests/local-models';
import { nodeCaptureRunner } from '../../tests/capture-runner-node';
import { makeVariant, variantId } from './make-variant';
import { compressesHead } from './which-tensors';

const LLAMA = 'e2e/fixtures/tiny-llama';
const haveLlama = existsSync(`${LLAMA}/onnx/model.onnx`);
const haveTiny = existsSync('public/models/brown-gpt2-tiny/onnx/model.onnx');
const int4 = { method: 'int4-group', options: { groupSize: 32 } } as const;

describe.skipIf(!haveLlama)('the LM head on the tiny Llama (untied)', () => {
  const model = haveLlama ? loadFolder(LLAMA) : undefined!;
  const head = model?.summary.lmHead;

  it('is the MatMul that produces the logits, found from the graph', () => {
    expect(head).toBeDefined();
    expect(lmHeadOf(model.parsed, model.linear)).toBe(head);
    const w = model.linear.find((x) => x.name === head)!;
    expect(w.shape).toEqual([40, 8192]);
    expect(lmHeadOf(model.parsed, model.linear, 'sequence-classification')).toBeUndefined();
    expect(model.summary.tiedHead).toBeUndefined();
  });

  it('INT4 by default: the head stays f32 (bit-equal), counted at 32 bits and named; packed = twin', async () => {
    const v = await makeVariant(model, int4, 'cpu', new Job('default'), { simulated: true });
    const s = v.summary;
    expect(s.tensors.map((t) => t.name)).toEqual(model.linear.filter((w) => w.name !== head).map((w) => w.name));
    expect(s.leftFloat).toEqual([{ name: head, params: 40 * 8192, why: expect.stringMatching(/LM head.*opts in/) }]);
    const packed = parseModel(v.packedBytes).tensors.get(head!)!;
    expect(packed.dataType).toBe(1);
    expect(readF32(packed)).toEqual(readF32(model.parsed.tensors.get(head!)!));
    const sum = s.tensors.reduce((a, t) => a + t.bitsPerWeight * t.params, 0) + 32 * 40 * 8192;
    expect(s.bitsPerWeight).toBeCloseTo(sum / model.summary.linearParams, 9);
    const ids = model.datasetIds.subarray(0, 32);
    const [a, b] = [await logits(v.packedBytes, ids), await logits(v.simulatedBytes!, ids)];
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    expect(maxDiff).toBeLessThan(1e-3);

    const all = (await makeVariant(model, { ...int4, head: true }, 'cpu', new Job('head'))).summary;
    expect(all.tensors.map((t) => t.name)).toEqual(model.linear.map((w) => w.name));
    expect(all.leftFloat).toBeUndefined();
    expect(all.label).toBe('INT4 g32 · LM head too');
    expect(all.id).toBe(variantId(model.summary.id, { method: 'int4-group', options: { groupSize: 32 }, head: true }, 'cpu'));
    expect(all.id).toMatch(/\[head\]\|cpu$/);
    expect(all.bitsPerWeight).toBeLessThan(s.bitsPerWeight - 10);
    console.log(`tiny Llama INT4 g32: ${s.bitsPerWeight.toFixed(3)} bits/weight, ${v.packedBytes.length} B with the head f32; ${all.bitsPerWeight.toFixed(3)} bits/weight, ${all.packedBytes} B with it (f32 ${model.baselineBytes.length} B)`);
  });

  it('an override naming the head compresses it by the override\'s method', async () => {
    const spec = { ...int4, overrides: [{ tensors: [head!], method: 'int8-channel' as const, options: {} }] };
    expect(compressesHead(spec, model.summary)).toBe(true);
    const s = (await makeVariant(model, spec, 'cpu', new Job('override'))).summary;
    expect(s.tensors.find((t) => t.name === head)!.bitsPerWeight).toBeGreaterThan(8);
    expect(s.leftFloat).toBeUndefined();
  });

  it('GPTQ calibrates and quantizes the head only when opted in', async () => {
    const gptq = { method: 'gptq', options: { bits: 4, groupSize: 32, samples: 2 } } as const;
    const off = (await makeVariant(model, gptq, 'cpu', new Job('gptq'), { captureRunner: nodeCaptureRunner })).summary;
    expect(off.tensors.some((t) => t.name === head)).toBe(false);
    expect(off.leftFloat?.map((t) => t.name)).toEqual([head]);
    const on = (await makeVariant(model, { ...gptq, head: true }, 'cpu', new Job('gptq-head'), { captureRunner: nodeCaptureRunner })).summary;
    expect(on.tensors.find((t) => t.name === head)?.calibrationLoss).toBeGreaterThan(0);
  });

  it('global pruning sets its one threshold over the weights it prunes: 50 % of them, the head untouched', async () => {
    const s = (await makeVariant(model, { method: 'global-prune', options: { ratio: 0.5 } }, 'cpu', new Job('global'))).summary;
    const n = s.tensors.reduce((a, t) => a + t.params, 0);
    expect(Math.abs(s.tensors.reduce((a, t) => a + t.sparsity * t.params, 0) / n - 0.5)).toBeLessThan(0.001);
    expect(s.tensors.some((t) => t.name === head)).toBe(false);
  });
});

describe.skipIf(!haveTiny)('a head tied to the embedding (brown-gpt2-tiny)', () => {
  it('is compressed with the embedding when the embedding is opted in, else only with head: true', () => {
    const { summary } = loadDemoLm('brown-gpt2-tiny');
    expect(summary.lmHead).toBe('lm_head.weight');
    expect(summary.tiedHead?.head).toBe(summary.lmHead);
    expect(compressesHead(int4, summary)).toBe(false);
    expect(compressesHead({ ...int4, embeddings: true }, summary)).toBe(true);
    expect(compressesHead({ ...int4, head: true }, summary)).toBe(true);
  });
});
