// Structured pruning then a calibrated method, in onnxruntime-node on the default demo LM: the
// calibration runs on the rewritten (smaller) graph, so "GPTQ on a pruned model" covers MLP-neuron
// and attention-head removal too. The reference is built here apart from the lab's calibration:
//   1. the structured variant alone (the sliced f32 model);
//   2. its linear layers' inputs captured by adding them as graph outputs (written here), on the
//      calibration slice (the last S × 256 tokens of the built-in text), H = Σ Xᵀ X summed in f32
//      row by row, as the statistic is defined (calibration/types.ts): f64 sums round differently, and
//      on the 8,192-row LM head a few codes then flip, and with them the logits by up to ~1;
//   3. the lab's GPTQ reference on each sliced weight with that H, written back into the sliced model.
// The variant's logits equal the reference's; a layer's Hessian is as wide as its sliced input.
import { describe, expect, it, vi } from 'vitest';
import { gptqReference } from '../compression/gptq/reference';
import type { GptqOptions } from '../compression/gptq/meta';
import { Job } from '../jobs';
import { onnx, parseModel, readF32, serializeGraph, writeVariant } from '../model/onnx-graph';
import type { LoadedModel } from '../model/load';
import type { VariantSpec } from '../api';
import { nodeCaptureRunner } from '../../tests/capture-runner-node';
import { loadDemoLm, logitsOfBytes as logits, ort, pplOfBytes } from '../../tests/local-models';
import { makeVariant, resolveSpec } from './make-variant';
import { writeStructuredModel } from './structured';

// counted, not changed: the calibration and the variant share one rewrite of the graph (issue 9)
vi.mock('./structured', async (original) => {
  const m = await original<typeof import('./structured')>();
  return { ...m, writeStructuredModel: vi.fn(m.writeStructuredModel) };
});

const S = 8;
const CONTEXT = 256;
const GPTQ: GptqOptions = { bits: 4, groupSize: 32, actOrder: false, samples: S };

/** Each linear weight's input captured on the calibration slice of `bytes`: H = Σ Xᵀ X, f32, summed row after row. */
async function hessians(model: LoadedModel, bytes: Uint8Array): Promise<Map<string, Float32Array>> {
  const m = parseModel(bytes);
  const g = m.proto.graph!;
  const inputOf = new Map(model.linear.map((w) => [w.name, g.node.find((n) => n.opType === 'MatMul' && n.input[1] === w.name)!.input[0]]));
  const names = [...new Set(inputOf.values())];
  const output = names.map((name) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }));
  const s = await ort.InferenceSession.create(serializeGraph(m, { output } as never), { executionProviders: ['cpu'] });
  const sums = new Map<string, Float32Array>();
  const ids = model.datasetIds;
  for (let q = 0; q < S; q++) {
    const at = ids.length - (S - q) * CONTEXT;
    const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.subarray(at, at + CONTEXT), BigInt), [1, CONTEXT]) };
    if (s.inputNames.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(CONTEXT).fill(1n), [1, CONTEXT]);
    const out = await s.run(feeds, names);
    for (const name of names) {
      const x = out[name].data as Float32Array;
      const k = x.length / CONTEXT;
      const h = sums.get(name) ?? new Float32Array(k * k);
      for (let r = 0; r < CONTEXT; r++) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) h[i * k + j] = Math.fround(h[i * k + j] + Math.fround(x[r * k + i] * x[r * k + j]));
      sums.set(name, h);
    }
  }
  await s.release();
  return new Map(model.linear.map((w) => [w.name, sums.get(inputOf.get(w.name)!)!]));
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((mx, x, i) => Math.max(mx, Math.abs(x - b[i])), 0);

/** The variant made by the lab and the reference (slice, capture the sliced model's inputs, GPTQ), both run on the same tokens. */
async function againstReference(model: LoadedModel, prune: VariantSpec) {
  const structured = await makeVariant(model, prune, 'cpu', new Job('s'));
  const both = await makeVariant(model, { ...prune, then: { method: 'gptq', options: { ...GPTQ } } }, 'cpu', new Job('s+gptq'), { captureRunner: nodeCaptureRunner });
  const sliced = parseModel(structured.packedBytes);
  const packed = parseModel(both.packedBytes);
  const h = await hessians(model, structured.packedBytes);
  const replace = new Map<string, Float32Array>();
  let quantized = 0;
  for (const w of model.linear) {
    const info = sliced.tensors.get(w.name)!;
    const cols = w.layout === 'in_out' ? info.dims[0] : info.dims[1];
    expect(h.get(w.name)!.length, `${w.name}: a Hessian of its sliced input`).toBe(cols * cols);
    if (packed.tensors.has(w.name)) continue; // left f32 by the variant (e.g. an LM head not opted in)
    quantized++;
    replace.set(w.name, gptqReference({ name: w.name, data: readF32(info), shape: [info.dims[0], info.dims[1]], layout: w.layout, calibration: { input: '', rows: S * CONTEXT, cols, hessian: h.get(w.name)! } }, GPTQ).dequantized);
  }
  const ids = model.datasetIds.subarray(0, 128);
  const [got, want] = [await logits(both.packedBytes, ids), await logits(writeVariant(sliced, replace), ids)];
  return { structured, both, quantized, diff: maxDiff(got, want) };
}

describe('structured pruning then a calibrated method (calibrated on the rewritten model)', () => {
  it('MLP neurons 25 % then GPTQ-4 g32: the logits equal slicing, capturing the sliced model, then the GPTQ reference', async () => {
    const model = loadDemoLm('brown-gpt2-tiny');
    const { structured, both, quantized, diff } = await againstReference(model, { method: 'structured-prune', options: { ratio: 0.25 } });
    expect(quantized).toBeGreaterThanOrEqual(16);
    expect(both.summary.totalParams).toBe(structured.summary.totalParams);
    expect(both.summary.calibration?.sequences).toBe(S);
    expect(both.summary.format).toMatch(/^graph rewritten: MLP neurons kept 192\/256 in each of 4 MLPs; MatMulNBits 4-bit, block 32/);
    const w = { tokens: 1024, context: 256, stride: 256 };
    const [pS, pB] = [await pplOfBytes(model, structured.packedBytes, w), await pplOfBytes(model, both.packedBytes, w)];
    console.log(`tiny MLP 25 % ${pS.toFixed(3)} → GPTQ-4 g32 (S ${S}, on the rewritten model) ${pB.toFixed(3)}; ${quantized} weights; max |Δlogit| vs reference ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-4);
    expect(pB / pS).toBeLessThan(1.1);
  });

  it('attention heads 25 % then GPTQ-4 g32: the same reference holds', async () => {
    const model = loadDemoLm('brown-gpt2-tiny');
    const { both, diff } = await againstReference(model, { method: 'structured-prune', options: { ratio: 0.25, unit: 'heads' } });
    expect(both.summary.format).toMatch(/^graph rewritten: attention heads kept 3\/4 in each of 4 blocks; MatMulNBits 4-bit, block 32/);
    console.log(`tiny heads 25 % → GPTQ-4 g32: max |Δlogit| vs reference ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-4);
  });

  it('MLP neurons 25 % then Wanda 50 %: the graph rewritten once, each sliced row keeps half its weights; resolveSpec takes every calibrated method, not structured twice', async () => {
    const model = loadDemoLm('brown-gpt2-tiny');
    vi.mocked(writeStructuredModel).mockClear();
    const v = await makeVariant(model, { method: 'structured-prune', options: { ratio: 0.25 }, then: { method: 'wanda', options: { ratio: 0.5, samples: S } } }, 'cpu', new Job('s+wanda'), { captureRunner: nodeCaptureRunner });
    // once for the calibration's model and the variant's packed graph (it was written twice)
    expect(vi.mocked(writeStructuredModel)).toHaveBeenCalledTimes(1);
    const m = parseModel(v.packedBytes);
    const down = model.linear.find((w) => w.name === 'transformer.h.0.c_proj.weight')!;
    const info = m.tensors.get(down.name)!;
    expect(info.dims[down.layout === 'in_out' ? 0 : 1]).toBe(192);
    const zeros = readF32(info).filter((x) => x === 0).length;
    expect(zeros / info.params).toBeCloseTo(0.5, 2);
    for (const then of ['gptq', 'awq', 'wanda', 'sparsegpt'] as const) expect(() => resolveSpec({ method: 'structured-prune', options: { unit: 'heads' }, then: { method: then, options: {} } }, 'cpu')).not.toThrow();
    expect(() => resolveSpec({ method: 'structured-prune', options: {}, then: { method: 'structured-prune', options: {} } }, 'cpu')).toThrow(/one structured pruning per variant/);
  });
});
