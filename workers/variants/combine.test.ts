// Combined specs (prune then quantize, mask kept), a method with a pass over all tensors
// (global-prune), and the new packed forms, on the demo model with the CPU kernels: packed models
// run in onnxruntime-node with their f32 twin's perplexity. Skipped when the demo model is absent.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VariantSpec } from '../api';
import { loadDemoLm, pplOfBytes } from '../../tests/local-models';
import { Job } from '../jobs';
import { makeVariant, resolveSpec, variantId, variantLabel } from './make-variant';

const DEMO = 'public/models/brown-gpt2';
const DATASET = 'public/datasets/brown-test.txt';
const haveDemo = existsSync(join(DEMO, 'onnx/model.onnx')) && existsSync(DATASET);

const PRUNE_THEN_INT4: VariantSpec = { method: 'magnitude-prune', options: { ratio: 0.5 }, then: { method: 'rtn', options: { bits: 4 } } };
// the figures below are of every linear weight: the LM head opted in (the lab leaves it f32 by default)
const HEAD = { head: true } as const;

describe('combined specs', () => {
  it('resolve both methods\' options and name the pair in the id and label', () => {
    const s = resolveSpec(PRUNE_THEN_INT4, 'cpu');
    expect(s.then).toEqual({ method: 'rtn', options: { bits: 4, groupSize: 32, symmetric: false } });
    expect(variantId('m', s, 'cpu')).toBe('m|magnitude-prune(ratio=0.5)+rtn(bits=4,groupSize=32,symmetric=false)|cpu');
    expect(variantId('m', s, 'cpu')).not.toBe(variantId('m', resolveSpec({ method: 'magnitude-prune', options: {} }, 'cpu'), 'cpu'));
    expect(variantLabel(s)).toBe('prune 50 % → INT4 g32 asym');
  });

  it('refuse a quantizer first, two pruners, a third method and unknown options', () => {
    expect(() => resolveSpec({ method: 'rtn', options: {}, then: { method: 'nf4', options: {} } }, 'cpu')).toThrow(/starts with a pruning method/);
    expect(() => resolveSpec({ method: 'nm-prune', options: {}, then: { method: 'global-prune', options: {} } }, 'cpu')).toThrow(/global-prune prunes/);
    expect(() => resolveSpec({ ...PRUNE_THEN_INT4, then: { ...PRUNE_THEN_INT4.then!, then: { method: 'fp16', options: {} } } }, 'cpu')).toThrow(/two methods at most/);
    expect(() => resolveSpec({ ...PRUNE_THEN_INT4, then: { method: 'rtn', options: { bits: 5 } } }, 'cpu')).toThrow(/bits must be one of 8, 4, 3, 2/);
  });
});

describe.skipIf(!haveDemo)('new methods on the demo model (cpu kernels, onnxruntime-node)', () => {
  const model = haveDemo ? loadDemoLm() : undefined!;
  const ppl = (bytes: Uint8Array) => pplOfBytes(model, bytes, { tokens: 512, context: 256, stride: 256 });

  const overallSparsity = (tensors: { sparsity: number; params: number }[]) =>
    tensors.reduce((a, t) => a + t.sparsity * t.params, 0) / tensors.reduce((a, t) => a + t.params, 0);

  it('prune 50 % then INT4: every tensor keeps its zeros through the quantizer; packed = its twin', async () => {
    const v = await makeVariant(model, { ...PRUNE_THEN_INT4, ...HEAD }, 'cpu', new Job('c1'), { simulated: true });
    expect(v.summary.storage).toBe('packed');
    expect(v.summary.format).toBe('MatMulNBits 4-bit, block 32');
    for (const t of v.summary.tensors) expect(t.sparsity).toBeGreaterThanOrEqual(0.5 - 1 / t.params);
    expect(v.summary.bitsPerWeight).toBeLessThan(5.2);
    const [packed, twin] = [await ppl(v.packedBytes), await ppl(v.simulatedBytes!)];
    expect(Math.abs(packed / twin - 1)).toBeLessThan(0.005);
  });

  it('global-prune 50 %: one threshold, achieved sparsity within ±0.1 %, uneven per tensor', async () => {
    const v = await makeVariant(model, { method: 'global-prune', options: { ratio: 0.5 } }, 'cpu', new Job('c2'));
    const s = v.summary.tensors.map((t) => t.sparsity);
    expect(Math.abs(overallSparsity(v.summary.tensors) - 0.5)).toBeLessThan(0.001);
    expect(Math.max(...s) - Math.min(...s)).toBeGreaterThan(0.05);
    expect(v.summary.storage).toBe('dense');
  });

  it('nf4 packs as MatMulBnb4, rtn 2-bit symmetric whole rows as MatMulNBits, both equal their twins', async () => {
    for (const spec of [{ method: 'nf4', options: {} }, { method: 'rtn', options: { bits: 2, groupSize: 0, symmetric: true } }] as VariantSpec[]) {
      const v = await makeVariant(model, spec, 'cpu', new Job('c3'), { simulated: true });
      expect(v.summary.storage).toBe('packed');
      expect(v.summary.format).toMatch(spec.method === 'nf4' ? /^MatMulBnb4 NF4, block 64$/ : /^MatMulNBits 2-bit, block 256$/);
      const [packed, twin] = [await ppl(v.packedBytes), await ppl(v.simulatedBytes!)];
      expect(Math.abs(packed / twin - 1), `${v.summary.label}: packed ${packed} twin ${twin}`).toBeLessThan(0.005);
    }
  });

  it('rtn 3-bit is stored f32 and says it is simulated, with the reason', async () => {
    const v = await makeVariant(model, { method: 'rtn', options: { bits: 3 }, ...HEAD }, 'cpu', new Job('c4'));
    expect(v.summary.storage).toBe('simulated');
    expect(v.summary.format).toMatch(/^simulated \(f32\): no onnxruntime op runs 3-bit weights/);
    expect(v.summary.bitsPerWeight).toBeCloseTo(3 + 35 / 32, 6);
  });
});
