// Packed forms in onnxruntime-node (the CPU EP, the same kernels as the WASM EP): the demo LM
// packed by each form must compute what its dequantized f32 twin computes — logits within a
// small tolerance, perplexity within 0.5 % — so a packing bug (nibble order, axis, block
// layout, tied-embedding rewiring) cannot hide. Skipped when the demo model is not present.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compressTensor } from '../compression/registry';
import { buildModel, gatherFiles, type DroppedFile } from '../model/load';
import { readF32, writeVariant } from '../model/onnx-graph';
import { slidingPerplexity } from '../eval/windows';
import type { MethodId, MethodOptions } from '../api';
import { packedFormOf, type Int8Form } from './form-of';
import { nbitsBytes, packNBits, unpackNBits } from './matmul-nbits';
import { writePackedModel, type PackedForm } from './packed-model';

const DEMO = 'public/models/brown-gpt2';
const DATASET = 'public/datasets/brown-test.txt';
const haveDemo = existsSync(join(DEMO, 'onnx/model.onnx')) && existsSync(DATASET);

describe('MatMulNBits packing', () => {
  it('packs 4-bit codes low nibble first and unpacks to the same weights, both layouts, short last block', () => {
    for (const layout of ['in_out', 'out_in'] as const) {
      const [n, k] = [3, 40]; // K = 40: one full block of 32 and a short one of 8
      const shape: [number, number] = layout === 'out_in' ? [n, k] : [k, n];
      const codes = new Uint8Array(n * k);
      for (let i = 0; i < codes.length; i++) codes[i] = (i * 7) % 16;
      const scales = Float32Array.from({ length: n * 2 }, (_, i) => 0.5 + i);
      const zeroPoints = Uint8Array.from({ length: n * 2 }, (_, i) => i % 16);
      const view = layout === 'out_in' ? { outDim: n, inDim: k, strideOut: k, strideIn: 1 } : { outDim: n, inDim: k, strideOut: 1, strideIn: n };
      const w = packNBits({ codes, scales, zeroPoints }, view, 4, 32);
      expect(w.b.length).toBe(n * 2 * 16);
      expect(w.zeroPoints.length).toBe(n * 1);
      expect(w.b.length + w.scales.length * 4 + w.zeroPoints.length).toBe(nbitsBytes(4, 32, n, k));
      // element (o=0, i=0) and (0, 1) share the first byte: low nibble first
      const at = (o: number, i: number) => codes[o * view.strideOut + i * view.strideIn];
      expect(w.b[0]).toBe(at(0, 0) | (at(0, 1) << 4));
      expect(w.zeroPoints[0]).toBe(zeroPoints[0] | (zeroPoints[1] << 4));
      const back = unpackNBits(w);
      for (let o = 0; o < n; o++) {
        for (let i = 0; i < k; i++) {
          const g = o * 2 + Math.floor(i / 32);
          expect(back[o * k + i]).toBe(Math.fround((at(o, i) - zeroPoints[g]) * scales[g]));
        }
      }
      void shape;
    }
  });
});

describe('MatMulNBits packing, the 4-bit (in, out) fast path', () => {
  it('writes the bytes the per-code path writes for the same weight stored (out, in), and names a code that does not fit', () => {
    const [k, n] = [96, 7];
    const codes = Uint8Array.from({ length: k * n }, (_, x) => (x * 2654435761) % 16);
    const scales = Float32Array.from({ length: n * 3 }, (_, x) => x + 1);
    const zeroPoints = Uint8Array.from({ length: n * 3 }, (_, x) => x % 16);
    const transposed = new Uint8Array(k * n);
    for (let i = 0; i < k; i++) for (let o = 0; o < n; o++) transposed[o * k + i] = codes[i * n + o];
    const fast = packNBits({ codes, scales, zeroPoints }, { outDim: n, inDim: k, strideOut: 1, strideIn: n }, 4, 32);
    const perCode = packNBits({ codes: transposed, scales, zeroPoints }, { outDim: n, inDim: k, strideOut: k, strideIn: 1 }, 4, 32);
    expect(fast.b).toEqual(perCode.b);
    expect(fast.zeroPoints).toEqual(perCode.zeroPoints);
    codes[5 * n + 3] = 16;
    expect(() => packNBits({ codes, scales, zeroPoints }, { outDim: n, inDim: k, strideOut: 1, strideIn: n }, 4, 32)).toThrow('code 16 at (3, 5) does not fit in 4 bits');
  });
});

describe.skipIf(!haveDemo)('packed demo LM in onnxruntime-node equals its dequantized twin', () => {
  const file = (path: string): DroppedFile => {
    const b = readFileSync(join(DEMO, path));
    return { path, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  };
  const model = haveDemo
    ? buildModel(gatherFiles(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].map(file)), readFileSync(DATASET, 'utf8'))
    : undefined!;

  async function both(method: MethodId, options: MethodOptions, int8Form?: Int8Form) {
    const forms = new Map<string, PackedForm>();
    const deq = new Map<string, Float32Array>();
    for (const w of model.linear) {
      const t = model.parsed.tensors.get(w.name)!;
      const r = await compressTensor(method, options, { name: w.name, data: readF32(t).slice(), shape: w.shape, layout: w.layout }, 'cpu');
      deq.set(w.name, r.dequantized);
      forms.set(w.name, packedFormOf(method, r.options, r, w, int8Form));
    }
    return { packed: writePackedModel(model.parsed, model.linear, forms), simulated: writeVariant(model.parsed, deq) };
  }

  async function run(bytes: Uint8Array) {
    const ort = (await import('onnxruntime-node')).default;
    const s = await ort.InferenceSession.create(bytes);
    const logits: Float32Array[] = [];
    const r = await slidingPerplexity(model.datasetIds, { tokens: 512, context: 256, stride: 256 }, async (ids) => {
      const n = ids.length;
      const out = await s.run({ input_ids: new ort.Tensor('int64', ids, [1, n]), attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]) });
      logits.push(out.logits.data as Float32Array);
      return { logits: out.logits.data as Float32Array, vocab: out.logits.dims[2] };
    });
    await s.release();
    return { ppl: r.ppl, logits };
  }

  const cases: [string, MethodId, MethodOptions, Int8Form?][] = [
    ['int4 g32 (MatMulNBits)', 'int4-group', { groupSize: 32 }],
    ['int4 g128', 'int4-group', { groupSize: 128 }],
    ['int8 per channel (DequantizeLinear)', 'int8-channel', {}, 'qdq'],
    ['int8 per channel (MatMulNBits 8-bit)', 'int8-channel', {}, 'nbits'],
    ['prune 50 % (dense f32)', 'magnitude-prune', { ratio: 0.5 }],
  ];
  for (const [name, method, options, int8Form] of cases) {
    it(name, async () => {
      const { packed, simulated } = await both(method, options, int8Form);
      const a = await run(packed);
      const b = await run(simulated);
      let maxDiff = 0;
      for (let w = 0; w < a.logits.length; w++) for (let i = 0; i < a.logits[w].length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.logits[w][i] - b.logits[w][i]));
      console.log(`${name}: packed ${packed.length} bytes, simulated ${simulated.length}; ppl ${a.ppl.toFixed(4)} vs ${b.ppl.toFixed(4)}; max |Δlogit| ${maxDiff.toExponential(2)}`);
      expect(Math.abs(a.ppl / b.ppl - 1)).toBeLessThan(0.005);
      // onnxruntime's optimizer rewrites DequantizeLinear → MatMul (its own int8 arithmetic), so that form
      // is only held to the perplexity bound; every other form computes what its twin computes
      if (int8Form !== 'qdq') expect(maxDiff).toBeLessThan(1e-3);
    }, 120_000);
  }
});
