// makeVariant on the demo model with the CPU (reference) kernels: every linear weight goes
// through the registry, the stats add up, packedBytes follows the formula, and the written
// evaluation model runs in onnxruntime-node with a perplexity near the baseline (INT8) or
// visibly worse (90 % pruning). Skipped when the demo model is not present.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { slidingPerplexity } from '../eval/windows';
import { Job } from '../jobs';
import { buildModel, gatherFiles, type DroppedFile } from '../model/load';
import { makeVariant, resolveSpec, variantId } from './make-variant';

const DEMO = 'public/models/brown-gpt2';
const DATASET = 'public/datasets/brown-test.txt';
const haveDemo = existsSync(join(DEMO, 'onnx/model.onnx')) && existsSync(DATASET);

const file = (path: string): DroppedFile => {
  const b = readFileSync(join(DEMO, path));
  return { path, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
};

describe('variant ids and options', () => {
  it('defaults are filled so {} and the defaults name the same variant', () => {
    const a = resolveSpec({ method: 'magnitude-prune', options: {} }, 'cpu');
    const b = resolveSpec({ method: 'magnitude-prune', options: { ratio: 0.5 } }, 'cpu');
    expect(variantId('m', a, 'cpu')).toBe(variantId('m', b, 'cpu'));
  });
  it('bad method or device is a BadOption naming the choices', () => {
    expect(() => resolveSpec({ method: 'nope' as never, options: {} }, 'cpu')).toThrow(/one of magnitude-prune, int8-channel, int4-group/);
    expect(() => resolveSpec({ method: 'int8-channel', options: {} }, 'tpu' as never)).toThrow(/one of webgpu, cpu/);
  });
});

describe.skipIf(!haveDemo)('makeVariant on the demo model (cpu kernels)', () => {
  const model = haveDemo
    ? buildModel(gatherFiles(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].map(file)), readFileSync(DATASET, 'utf8'))
    : undefined!;

  async function ppl(bytes: Uint8Array): Promise<number> {
    const ort = (await import('onnxruntime-node')).default;
    const s = await ort.InferenceSession.create(bytes);
    const r = await slidingPerplexity(model.datasetIds, { tokens: 512, context: 256, stride: 256 }, async (ids) => {
      const n = ids.length;
      const out = await s.run({ input_ids: new ort.Tensor('int64', ids, [1, n]), attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]) });
      return { logits: out.logits.data as Float32Array, vocab: out.logits.dims[2] };
    });
    await s.release();
    return r.ppl;
  }

  // head: true: every linear weight, the LM head opted in (left f32 by default: which-tensors.test.ts)
  it('int8-channel: all weights, stats, packed size, ppl close to baseline', async () => {
    const v = await makeVariant(model, { method: 'int8-channel', options: {}, head: true }, 'cpu', new Job('t1'));
    const s = v.summary;
    expect(s.tensors.map((t) => t.name)).toEqual(model.linear.map((w) => w.name));
    expect(s.bitsPerWeight).toBeGreaterThan(8);
    expect(s.bitsPerWeight).toBeLessThan(8.5);
    expect(s.packedBytes).toBe(v.packedBytes.length);
    expect(s.storage).toBe('packed');
    expect(s.format).toBe('int8 + DequantizeLinear (per channel)');
    // the packed linear weights are about a quarter of their f32 bytes (the f32 embedding Gather stays)
    const linearF32 = model.summary.linearParams * 4;
    expect(s.f32Bytes - s.packedBytes).toBeGreaterThan(linearF32 * 0.7);
    expect(s.gzipBytes).toBeLessThan(s.packedBytes);
    const base = await ppl(model.baselineBytes);
    const q = await ppl(v.packedBytes);
    console.log(`int8-channel: baseline ppl ${base.toFixed(3)}, variant ${q.toFixed(3)}, ${s.bitsPerWeight.toFixed(3)} bits/weight, packed ${s.packedBytes} bytes`);
    expect(Math.abs(q / base - 1)).toBeLessThan(0.02);
  });

  it('magnitude-prune 90 %: sparsity recorded per tensor', async () => {
    const v = await makeVariant(model, { method: 'magnitude-prune', options: { ratio: 0.9 }, head: true }, 'cpu', new Job('t2'));
    expect(v.summary.label).toBe('prune 90 % · LM head too');
    expect(v.summary.tensors.every((t) => Math.abs(t.sparsity - 0.9) < 0.01)).toBe(true);
    // dense storage: same bytes as the source, but the zeros compress
    expect(v.summary.storage).toBe('dense');
    expect(Math.abs(v.summary.packedBytes / v.summary.f32Bytes - 1)).toBeLessThan(1e-3); // re-encoding adds a few bytes
    expect(v.summary.gzipBytes).toBeLessThan(v.summary.f32Bytes * 0.5);
  });

  it('a cancelled job stops before writing', async () => {
    const { cancelJob } = await import('../jobs');
    cancelJob('t3');
    await expect(makeVariant(model, { method: 'int8-channel', options: {} }, 'cpu', new Job('t3'))).rejects.toMatchObject({ name: 'Cancelled' });
  });
});
