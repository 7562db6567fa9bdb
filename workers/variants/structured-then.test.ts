// Structured pruning then quantization (VariantSpec.then on structured-prune), on the small demo LM
// in onnxruntime-node: the graph is rewritten first and the smaller weights are quantized, so
//   - the packed model has MatMulNBits for every linear weight and the structured variant's parameter count;
//   - its logits equal an independent reference: the structured variant's own (sliced) f32 weights,
//     quantized here by int4-group's reference and written back (order: slice, then quantize);
//   - its bits per weight are INT4's times the share kept, its ppl a little above structured alone;
//   - structured pruning twice is refused with the reason (a calibrated second method: structured-calibrated.test.ts);
//   - attention heads then INT4 on the default demo LM: packed = its dequantized twin.
import { describe, expect, it } from 'vitest';
import { int4GroupReference } from '../compression/int4-group/reference';
import { Job } from '../jobs';
import { parseModel, readF32, writeVariant } from '../model/onnx-graph';
import { loadDemoLm, logitsOfBytes as logits, pplOfBytes } from '../../tests/local-models';
import { makeVariant, resolveSpec } from './make-variant';

describe('structured pruning then quantization', () => {
  it('slices the MLPs, then packs the smaller weights as INT4: equal to slicing then quantizing by hand', async () => {
    const model = loadDemoLm('brown-gpt2-mini');
    const structured = await makeVariant(model, { method: 'structured-prune', options: { ratio: 0.25 } }, 'cpu', new Job('s'));
    // the LM head opted in (left f32 by default): every linear weight quantized, as the reference below
    const both = await makeVariant(model, { method: 'structured-prune', options: { ratio: 0.25 }, then: { method: 'int4-group', options: { groupSize: 32 } }, head: true }, 'cpu', new Job('s+q'));
    const int4 = await makeVariant(model, { method: 'int4-group', options: { groupSize: 32 }, head: true }, 'cpu', new Job('q'));
    expect(both.summary.totalParams).toBe(structured.summary.totalParams);
    expect(both.summary.totalParams!).toBeLessThan(model.summary.totalParams);
    expect(both.summary.storage).toBe('packed');
    expect(both.summary.format).toMatch(/^graph rewritten: MLP neurons kept \d+\/\d+ in each of \d+ MLPs; MatMulNBits 4-bit, block 32$/);
    expect(both.summary.label).toBe(`${structured.summary.label} → INT4 g32 · LM head too`);
    expect(both.packedBytes.length).toBeLessThan(int4.packedBytes.length);
    expect(both.summary.bitsPerWeight).toBeLessThan(int4.summary.bitsPerWeight);
    expect(both.summary.bitsPerWeight).toBeLessThan(structured.summary.bitsPerWeight);

    // the reference: the structured variant's sliced f32 weights, quantized by int4-group's reference here
    const sliced = parseModel(structured.packedBytes);
    const packed = parseModel(both.packedBytes);
    const replace = new Map<string, Float32Array>();
    for (const w of model.linear) {
      const info = sliced.tensors.get(w.name)!;
      expect(packed.tensors.has(w.name), `${w.name} is packed, not f32`).toBe(false);
      replace.set(w.name, int4GroupReference({ name: w.name, data: readF32(info), shape: [info.dims[0], info.dims[1]], layout: w.layout }, { groupSize: 32 }).dequantized);
    }
    const ids = model.datasetIds.subarray(0, 64);
    const [got, want] = [await logits(both.packedBytes, ids), await logits(writeVariant(sliced, replace), ids)];
    let maxDiff = 0;
    for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
    expect(maxDiff).toBeLessThan(1e-3);

    const w = { tokens: 1024, context: 256, stride: 256 };
    const [pS, pB, pBase] = [await pplOfBytes(model, structured.packedBytes, w), await pplOfBytes(model, both.packedBytes, w), await pplOfBytes(model, model.baselineBytes, w)];
    console.log(`mini, 1,024 tokens: baseline ${pBase.toFixed(3)}, structured 25 % ${pS.toFixed(3)} (${structured.summary.bitsPerWeight.toFixed(2)} bits, ${structured.packedBytes.length} B), then INT4 g32 ${pB.toFixed(3)} (${both.summary.bitsPerWeight.toFixed(2)} bits, ${both.packedBytes.length} B); max |Δlogit| vs reference ${maxDiff.toExponential(2)}`);
    expect(pB).toBeGreaterThan(pBase);
    expect(pB / pS).toBeLessThan(1.1);
  });

  it('attention heads then INT4 g32 on the default demo LM: the packed model equals its dequantized twin', async () => {
    const model = loadDemoLm('brown-gpt2-tiny');
    const spec = { method: 'structured-prune', options: { ratio: 0.25, unit: 'heads' }, then: { method: 'int4-group', options: { groupSize: 32 } }, head: true } as const;
    const heads = await makeVariant(model, { method: 'structured-prune', options: { ratio: 0.25, unit: 'heads' } }, 'cpu', new Job('h'));
    const both = await makeVariant(model, spec, 'cpu', new Job('h+q'), { simulated: true });
    expect(both.summary.totalParams).toBe(heads.summary.totalParams);
    expect(both.summary.format).toBe('graph rewritten: attention heads kept 3/4 in each of 4 blocks; MatMulNBits 4-bit, block 32');
    expect(both.summary.label).toBe('structured 25 % attention heads → INT4 g32 · LM head too');
    const packed = parseModel(both.packedBytes);
    for (const w of model.linear) expect(packed.tensors.has(w.name), `${w.name} is packed, not f32`).toBe(false);
    const ids = model.datasetIds.subarray(0, 128);
    const [got, twin] = [await logits(both.packedBytes, ids), await logits(both.simulatedBytes!, ids)];
    let maxDiff = 0;
    for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - twin[i]));
    const w = { tokens: 1024, context: 256, stride: 256 };
    const [pH, pP, pT] = [await pplOfBytes(model, heads.packedBytes, w), await pplOfBytes(model, both.packedBytes, w), await pplOfBytes(model, both.simulatedBytes!, w)];
    console.log(`tiny, 1,024 tokens: heads 25 % ${pH.toFixed(3)} (${heads.packedBytes.length} B), then INT4 g32 packed ${pP.toFixed(4)} / simulated ${pT.toFixed(4)} (${both.packedBytes.length} B, ${both.summary.bitsPerWeight.toFixed(2)} bits); max |Δlogit| packed vs simulated ${maxDiff.toExponential(2)}`);
    expect(maxDiff).toBeLessThan(1e-3);
    expect(Math.abs(pP / pT - 1)).toBeLessThan(1e-5);
    // INT4 on the linear weights; the rest (position table, norms) stays f32
    expect(both.packedBytes.length).toBeLessThan(heads.packedBytes.length * 0.6);
  });

  it('refuses structured pruning twice, and a pruning second method after an unstructured first', () => {
    // a calibrated second method is taken: it calibrates on the rewritten model (structured-calibrated.test.ts)
    expect(() => resolveSpec({ method: 'structured-prune', options: {}, then: { method: 'structured-prune', options: {} } }, 'cpu')).toThrow(/one structured pruning per variant/);
    expect(() => resolveSpec({ method: 'magnitude-prune', options: {}, then: { method: 'magnitude-prune', options: {} } }, 'cpu')).toThrow(/the second method of a combined variant quantizes/);
  });
});
