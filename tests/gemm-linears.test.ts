// Linear weights whatever the producer: the demo LM (brown-gpt2-tiny) with every MatMul written as
// Gemm(transB = 0) on its (in, out) weight between Reshapes (tools/make_lm_forms.py model_gemm.onnx,
// built into the git-ignored cache when missing). The lab must list the same 17 weights with the same
// shapes and layout, and an RTN INT4 g32 variant of it must hold the weights an independent
// quantizer written here gives, and score like them on onnxruntime-node.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, gatherFiles, type LoadedModel } from '../workers/model/load';
import { parseModel, readF32, writeVariant } from '../workers/model/onnx-graph';
import { makeVariant } from '../workers/variants/make-variant';
import { Job } from '../workers/jobs';
import { DEMO_FORMS, ensureLmForms } from './lm-forms';
import { pplOfBytes, ROOT } from './local-models';

const TEXT = readFileSync(join(ROOT, 'public/datasets/brown-test.txt'), 'utf8').slice(0, 12_000);
const W = { tokens: 256, context: 256, stride: 256 };

function load(dir: string, graph: string): LoadedModel {
  const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', graph].map((p) => {
    const b = readFileSync(join(ROOT, dir, p));
    return { path: p, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  });
  return buildModel(gatherFiles(files), TEXT);
}

/** Symmetric 4-bit round to nearest, groups of 32 inputs per output channel of an (in, out) weight:
 *  step max|w| / 7, codes in [−7, 7]; written from the definition, in doubles but for the f32 step. */
function int4g32InOut(w: Float32Array, [K, N]: number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let n = 0; n < N; n++) {
    for (let k0 = 0; k0 < K; k0 += 32) {
      let top = 0;
      for (let k = k0; k < Math.min(K, k0 + 32); k++) top = Math.max(top, Math.abs(w[k * N + n]));
      const step = Math.fround(top * Math.fround(1 / 7)) || 1e-30;
      for (let k = k0; k < Math.min(K, k0 + 32); k++) out[k * N + n] = Math.max(-7, Math.min(7, Math.round(w[k * N + n] / step))) * step;
    }
  }
  return out;
}

describe('the demo LM with its linears as Gemm(transB = 0) (brown-gpt2-tiny, model_gemm.onnx)', () => {
  let gemm: LoadedModel;
  let plain: LoadedModel;
  beforeAll(() => {
    ensureLmForms();
    gemm = load(DEMO_FORMS, 'onnx/model_gemm.onnx');
    plain = load('public/models/brown-gpt2-tiny', 'onnx/model.onnx');
  }, 120_000);

  it('lists every Gemm weight with the MatMul export\'s name, shape and (in, out) layout', () => {
    expect(gemm.linear.length).toBe(17);
    expect(gemm.linear.every((w) => w.op === 'Gemm')).toBe(true);
    expect(gemm.linear.map((w) => [w.name, w.shape, w.layout])).toEqual(plain.linear.map((w) => [w.name, w.shape, w.layout]));
    expect(gemm.linear.find((w) => w.name === 'transformer.h.0.c_fc.weight')).toMatchObject({ shape: [64, 256], layout: 'in_out' });
  });

  it('an RTN INT4 g32 variant holds the independent quantizer\'s weights and scores like them on onnxruntime-node', async () => {
    // the LM head opted in: the independent quantizer here quantizes every linear weight
    const v = await makeVariant(gemm, { method: 'rtn', options: { bits: 4, groupSize: 32, symmetric: true }, head: true }, 'cpu', new Job('gemm-rtn'), { simulated: true });
    const twin = parseModel(v.simulatedBytes!);
    const reference = new Map<string, Float32Array>();
    let off = 0;
    let total = 0;
    for (const w of gemm.linear) {
      const want = int4g32InOut(readF32(gemm.parsed.tensors.get(w.name)!), w.shape);
      const got = readF32(twin.tensors.get(w.name)!);
      // a value a rounding tie puts on the other code may differ by one step; nothing else
      got.forEach((x, i) => { if (Math.abs(x - want[i]) > 1e-6 * Math.abs(want[i]) + 1e-9) off++; });
      total += got.length;
      reference.set(w.name, want);
    }
    const packed = await pplOfBytes(gemm, v.packedBytes, W);
    const ref = await pplOfBytes(plain, writeVariant(plain.parsed, reference), W);
    const base = await pplOfBytes(gemm, gemm.baselineBytes, W);
    console.log(`brown-gpt2-tiny as Gemm(transB=0), 256 tokens, onnxruntime-node: baseline ppl ${base.toFixed(4)}; RTN INT4 g32 symmetric packed (${v.summary.format}) ${packed.toFixed(4)}, the independent quantizer's weights in the MatMul export ${ref.toFixed(4)}; ${off} of ${total} weights off by a tie`);
    expect(off / total).toBeLessThan(1e-4);
    expect(Math.abs(packed / ref - 1)).toBeLessThan(1e-4);
    expect(Math.abs(packed / base - 1)).toBeGreaterThan(1e-3);
  }, 180_000);
});
