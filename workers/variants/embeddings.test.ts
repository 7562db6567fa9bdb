// Which tensors (issue 9): the token embedding is compressed only when the spec opts in. On the
// default demo LM (GPT-2, head tied as a transposed copy) the Gather is pointed at the compressed
// head, so the table is stored once (MatMulNBits rows read by GatherBlockQuantized; FP16 through a
// Transpose of the head's Cast); on the tiny Llama (untied) the table is a tensor of its own. Each
// packed model runs in onnxruntime-node and equals its dequantized twin.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { VariantSpec } from '../api';
import { Job } from '../jobs';
import type { LoadedModel } from '../model/load';
import { parseModel } from '../model/onnx-graph';
import { loadDemoLm, loadFolder, logitsOfBytes as logits } from '../../tests/local-models';
import { makeVariant, variantId } from './make-variant';

const haveTiny = existsSync('public/models/brown-gpt2-tiny/onnx/model.onnx');
const LLAMA = 'e2e/fixtures/tiny-llama';
const haveLlama = existsSync(`${LLAMA}/onnx/model.onnx`);

async function packedVsTwin(model: LoadedModel, spec: VariantSpec) {
  const v = await makeVariant(model, spec, 'cpu', new Job(JSON.stringify(spec)), { simulated: true });
  const ids = model.datasetIds.subarray(0, 64);
  // INT8's linear weights are int8 + DequantizeLinear (form-of.ts): at 'all' onnxruntime-node would run them with 8-bit activations
  const level = spec.method === 'int8-channel' ? 'basic' : 'all';
  const [a, b] = [await logits(v.packedBytes, ids, level), await logits(v.simulatedBytes!, ids, level)];
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
  return { v, maxDiff, ops: parseModel(v.packedBytes).proto.graph!.node.map((n) => n.opType) };
}

describe.skipIf(!haveTiny)('token embedding opt-in on brown-gpt2-tiny (head tied, stored as a transposed copy)', () => {
  const model = haveTiny ? loadDemoLm('brown-gpt2-tiny') : undefined!;
  const table = 'transformer.wte.weight';

  it('INT4 g32: the Gather reads the packed head (GatherBlockQuantized), the f32 table is gone, packed = twin', async () => {
    const int4 = { method: 'int4-group', options: { groupSize: 32 } } as const;
    const plain = await makeVariant(model, int4, 'cpu', new Job('int4'));
    const { v, maxDiff, ops } = await packedVsTwin(model, { ...int4, embeddings: true });
    expect(model.summary.tiedHead?.stored).toBe('transposed-copy');
    expect(parseModel(plain.packedBytes).tensors.has(table)).toBe(true);
    expect(parseModel(v.packedBytes).tensors.has(table)).toBe(false);
    expect(ops).toContain('GatherBlockQuantized');
    expect(v.summary.format).toBe('MatMulNBits 4-bit, block 32; GatherBlockQuantized 4-bit (token table)');
    expect(plain.summary.format).toBe('MatMulNBits 4-bit, block 32');
    expect(v.summary.label).toBe('INT4 g32 · embedding too');
    expect(v.summary.id).not.toBe(plain.summary.id);
    expect(variantId('m', { ...int4, embeddings: true }, 'cpu')).toBe('m|int4-group(groupSize=32)[embeddings]|cpu');
    // the table's 8192 x 64 f32 went; the head's packed bytes serve both
    console.log(`tiny INT4 g32: ${plain.packedBytes.length} B, with the embedding ${v.packedBytes.length} B (f32 ${model.baselineBytes.length} B); max |Δlogit| packed vs twin ${maxDiff.toExponential(2)}`);
    expect(plain.packedBytes.length - v.packedBytes.length).toBeGreaterThan(8192 * 64 * 4 * 0.99);
    expect(maxDiff).toBeLessThan(1e-4);
    const base = await logits(model.baselineBytes, model.datasetIds.subarray(0, 64));
    const noEmb = await logits(plain.packedBytes, model.datasetIds.subarray(0, 64));
    const emb = await logits(v.packedBytes, model.datasetIds.subarray(0, 64));
    // the embedding's rounding now reaches the logits too
    expect(emb.some((x, i) => x !== noEmb[i])).toBe(true);
    expect(base.length).toBe(emb.length);
  });

  it('INT8 (the tied head as 8-bit MatMulNBits, read by GatherBlockQuantized) and FP16 (the Gather reads Transpose(Cast(head))): the table stored once; packed = twin', async () => {
    const int8 = await packedVsTwin(model, { method: 'int8-channel', options: {}, embeddings: true });
    expect(int8.ops).toContain('GatherBlockQuantized');
    expect(int8.v.summary.format).toContain('GatherBlockQuantized 8-bit (token table)');
    expect(int8.ops).toContain('DequantizeLinear'); // the other linear weights
    expect(int8.maxDiff).toBeLessThan(1e-4);
    const fp16 = await packedVsTwin(model, { method: 'fp16', options: {}, embeddings: true });
    const g = parseModel(fp16.v.packedBytes).proto.graph!;
    expect(g.node.find((n) => n.opType === 'Gather' && n.input[1] === 'input_ids')!.input[0]).toBe('lm_head.weight_as_table');
    for (const r of [int8, fp16]) expect(parseModel(r.v.packedBytes).tensors.has(table)).toBe(false);
    expect(fp16.maxDiff).toBeLessThan(1e-4);
  });
});

describe.skipIf(!haveLlama)('token embedding opt-in on the tiny Llama (untied)', () => {
  const model = haveLlama ? loadFolder(LLAMA) : undefined!;

  it('FP16: the table is compressed as a tensor of its own, counted in bits per weight; packed = twin', async () => {
    // the LM head opted in too, so that every weight is FP16 (the lab leaves an untied head f32 by default)
    const plain = await makeVariant(model, { method: 'fp16', options: {}, head: true }, 'cpu', new Job('fp16'));
    const { v, maxDiff } = await packedVsTwin(model, { method: 'fp16', options: {}, embeddings: true, head: true });
    const names = v.summary.tensors.map((t) => t.name);
    expect(names).toContain('embed_tokens.weight');
    expect(plain.summary.tensors.map((t) => t.name)).not.toContain('embed_tokens.weight');
    expect(parseModel(v.packedBytes).tensors.get('embed_tokens.weight_fp16')?.dataType).toBe(10);
    expect(v.packedBytes.length).toBeLessThan(plain.packedBytes.length - 8192 * 40 * 2 * 0.99);
    // the table counts among the weights the variant's bits per weight are over
    expect(v.summary.tensors.find((t) => t.name === 'embed_tokens.weight')).toMatchObject({ params: 8192 * 40, bitsPerWeight: 16 });
    expect(v.summary.bitsPerWeight).toBe(16);
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('refuses what cannot compress a table, by name', async () => {
    // hidden 40: INT4 g32 blocks do not tile a row, which GatherBlockQuantized needs
    await expect(makeVariant(model, { method: 'int4-group', options: { groupSize: 32 }, embeddings: true }, 'cpu', new Job('int4'))).rejects.toThrow(/embed_tokens.weight has rows of 40, not a whole number of 32-wide MatMulNBits blocks/);
    await expect(makeVariant(model, { method: 'nf4', options: {}, embeddings: true }, 'cpu', new Job('nf4'))).rejects.toThrow(/nf4 does not compress the token embedding/);
    await expect(makeVariant(model, { method: 'gptq', options: {}, embeddings: true }, 'cpu', new Job('gptq'))).rejects.toThrow(/gptq calibrates on linear layers' inputs; the embedding table embed_tokens.weight has none/);
  });
});
