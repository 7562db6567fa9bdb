// Mixed precision (VariantSpec.overrides): the rules, and on the demo LM in onnxruntime-node a
// variant INT4 g32 everywhere but the first and last block in INT8: each tensor packed in its own
// format with its own bits in the stats, the label naming the blocks, and a perplexity between
// INT4-everywhere and INT8-everywhere.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LinearWeight, VariantSpec } from '../api';
import { Job } from '../jobs';
import { blockOf } from '../model/blocks';
import { parseModel } from '../model/onnx-graph';
import { loadDemoLm, pplOfBytes } from '../../tests/local-models';
import { makeVariant, resolveSpec, variantId, variantLabel } from './make-variant';
import { blocksPhrase, methodsOfWeights, resolveOverrides } from './overrides';

const w = (name: string): LinearWeight => ({ name, node: name, op: 'MatMul', shape: [4, 4], layout: 'in_out', params: 16, shared: false });
const LINEAR = [w('h.0.attn.weight'), w('h.0.mlp.weight'), w('h.1.mlp.weight'), w('h.2.mlp.weight'), w('lm_head.weight')];
const MIXED: VariantSpec = { method: 'int4-group', options: { groupSize: 32 }, overrides: [{ blocks: [0, -1], method: 'int8-channel', options: {} }] };

describe('overrides: rules', () => {
  it('each weight takes the first override naming it (blocks from the end too), else the spec', () => {
    const spec: VariantSpec = { ...MIXED, overrides: [{ tensors: ['h.0.mlp.weight'], method: 'rtn', options: { bits: 2 } }, ...MIXED.overrides!] };
    const r = resolveSpec(spec, 'cpu');
    expect(methodsOfWeights(r, LINEAR).map((m) => m.method)).toEqual(['int8-channel', 'rtn', 'int4-group', 'int8-channel', 'int4-group']);
    expect(methodsOfWeights(r, LINEAR)[1].options).toEqual({ bits: 2, groupSize: 32, symmetric: false });
  });
  it('a block or tensor the model lacks, a calibrated or model-wide method, a combined spec: BadOption naming why', () => {
    expect(() => methodsOfWeights(resolveSpec({ ...MIXED, overrides: [{ blocks: [3], method: 'fp16', options: {} }] }, 'cpu'), LINEAR)).toThrow(/has 3 blocks .*no block 3/);
    expect(() => methodsOfWeights(resolveSpec({ ...MIXED, overrides: [{ tensors: ['nope'], method: 'fp16', options: {} }] }, 'cpu'), LINEAR)).toThrow(/no linear weight named nope/);
    expect(() => resolveOverrides({ ...MIXED, overrides: [{ blocks: [0], method: 'gptq', options: {} }] })).toThrow(/calibrated/);
    expect(() => resolveOverrides({ ...MIXED, overrides: [{ blocks: [0], method: 'global-prune', options: {} }] })).toThrow(/whole model/);
    expect(() => resolveOverrides({ ...MIXED, overrides: [{ blocks: [], method: 'fp16', options: {} }] })).toThrow(/name some blocks or tensors/);
    expect(() => resolveOverrides({ ...MIXED, then: { method: 'fp16', options: {} } })).toThrow(/single-method/);
    expect(() => resolveOverrides({ ...MIXED, overrides: [{ blocks: [0], method: 'rtn', options: { bits: 5 } }] })).toThrow(/bits/);
  });
  it('labels and ids: the blocks named, resolved against the model when its block count is known', () => {
    expect(blocksPhrase([0, -1])).toBe('blocks 0 and last');
    expect(blocksPhrase([0, -1], 4)).toBe('blocks 0 and 3');
    expect(blocksPhrase([2])).toBe('block 2');
    const r = resolveSpec(MIXED, 'cpu');
    expect(variantLabel(r, 4)).toBe('INT4 g32, blocks 0 and 3 INT8 per-channel');
    expect(variantId('m', r, 'cpu')).toBe('m|int4-group(groupSize=32){blocks=-1,0:int8-channel()}|cpu');
    // without overrides the id is what it always was
    expect(variantId('m', resolveSpec({ method: 'int4-group', options: { groupSize: 32 } }, 'cpu'), 'cpu')).toBe('m|int4-group(groupSize=32)|cpu');
  });
});

const haveDemo = existsSync('public/models/brown-gpt2/onnx/model.onnx');

describe.skipIf(!haveDemo)('mixed precision on the demo LM (onnxruntime-node)', () => {
  it('first/last block INT8, the rest INT4 g32: bits per tensor, formats, ppl between INT4 and INT8', async () => {
    const model = loadDemoLm();
    const window = { tokens: 1024, context: 256, stride: 256 };
    const mixed = await makeVariant(model, MIXED, 'cpu', new Job('mixed'));
    const int4 = await makeVariant(model, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu', new Job('int4'));
    const int8 = await makeVariant(model, { method: 'int8-channel', options: {} }, 'cpu', new Job('int8'));
    const s = mixed.summary;
    expect(s.label).toBe('INT4 g32, blocks 0 and 3 INT8 per-channel');
    const bitsOf = (v: typeof mixed, name: string) => v.summary.tensors.find((t) => t.name === name)!.bitsPerWeight;
    for (const t of s.tensors) {
      const b = blockOf(model.linear.find((x) => x.name === t.name)!);
      const want = b === 0 || b === 3 ? int8 : int4;
      expect(t.bitsPerWeight, t.name).toBe(bitsOf(want, t.name));
      expect(t.relFrobeniusError, t.name).toBeCloseTo(want.summary.tensors.find((x) => x.name === t.name)!.relFrobeniusError, 6);
    }
    expect(s.tensors.filter((t) => t.bitsPerWeight > 8).length).toBe(8); // 2 blocks × 4 linear weights (c_attn, attn.c_proj, c_fc, c_proj)
    expect(s.format).toMatch(/MatMulNBits 4-bit, block 32/);
    expect(s.format).toMatch(/int8 \+ DequantizeLinear/);
    expect(s.bitsPerWeight).toBeGreaterThan(int4.summary.bitsPerWeight);
    expect(s.bitsPerWeight).toBeLessThan(int8.summary.bitsPerWeight);
    expect(s.packedBytes).toBeGreaterThan(int4.summary.packedBytes);
    expect(s.packedBytes).toBeLessThan(int8.summary.packedBytes);
    // each tensor in its own packed form in the graph: int8 + DequantizeLinear for blocks 0 and 3 (form-of.ts), 4-bit MatMulNBits elsewhere
    const g = parseModel(mixed.packedBytes).proto.graph!;
    const bitsAttr = (n: (typeof g.node)[number]) => Number((n.attribute as { name: string; i: unknown }[]).find((a) => a.name === 'bits')!.i);
    expect(g.node.filter((n) => n.opType === 'MatMulNBits').every((n) => bitsAttr(n) === 4)).toBe(true);
    const eight = g.node.filter((n) => n.opType === 'DequantizeLinear').map((n) => n.name);
    expect(eight.length).toBe(s.tensors.filter((t) => t.bitsPerWeight > 8).length);
    expect(eight.every((n) => /h\.(0|3)[./]/.test(n))).toBe(true);
    const [p4, pm, p8] = await Promise.all([pplOfBytes(model, int4.packedBytes, window), pplOfBytes(model, mixed.packedBytes, window), pplOfBytes(model, int8.packedBytes, window)]);
    console.log(`mixed precision (1,024 tokens, onnxruntime-node): INT4 g32 ppl ${p4.toFixed(3)} (${int4.summary.bitsPerWeight.toFixed(3)} bits, ${int4.summary.packedBytes} B); mixed ${pm.toFixed(3)} (${s.bitsPerWeight.toFixed(3)} bits, ${s.packedBytes} B); INT8 ${p8.toFixed(3)} (${int8.summary.bitsPerWeight.toFixed(3)} bits, ${int8.summary.packedBytes} B)`);
    expect(pm).toBeLessThan(p4);
    expect(pm).toBeGreaterThan(p8);
  });
});
