// The evaluation graphs (scored-graph.ts) on the demo LM in onnxruntime-node: the in-graph NLL
// equals the JS log-softmax over full logits; base vs base gives KL 0 and 100 % agreement exactly;
// and the mean KL orders the formats FP16 < INT8 < INT4 g32 < INT3 g32 < INT2 g32. Skipped when the demo model is absent.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InferenceSession } from 'onnxruntime-node';
import { Job } from '../jobs';
import { buildModel, gatherFiles, type DroppedFile } from '../model/load';
import { makeVariant } from '../variants/make-variant';
import { scoreWindows, type RunScored } from './score';
import { defaultOpset, OUT, pairModel, scoredModel, TARGETS } from './scored-graph';
import { bootstrapPpl, klStats, perplexityStats } from './stats';
import { tokenizerFacts } from './token-bytes';
import { slidingPerplexity } from './windows';

const DEMO = 'public/models/brown-gpt2';
const DATASET = 'public/datasets/brown-test.txt';
const haveDemo = existsSync(join(DEMO, 'onnx/model.onnx')) && existsSync(DATASET);
const SETTINGS = { tokens: 512, context: 256, stride: 256 };

const file = (path: string): DroppedFile => {
  const b = readFileSync(join(DEMO, path));
  return { path, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
};

async function open(bytes: Uint8Array): Promise<InferenceSession> {
  const ort = (await import('onnxruntime-node')).default;
  return ort.InferenceSession.create(bytes);
}

async function scoredRunner(s: InferenceSession): Promise<RunScored> {
  const ort = (await import('onnxruntime-node')).default;
  const pair = s.outputNames.includes(OUT.kl);
  return async (ids, targets, head) => {
    const n = ids.length;
    const out = await s.run({
      input_ids: new ort.Tensor('int64', ids, [1, n]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
      [TARGETS]: new ort.Tensor('int64', targets, [1, n, 1]),
    }, [OUT.nll, OUT.top1, ...(pair ? [OUT.baseNll, OUT.baseTop1, OUT.kl] : []), ...(head ? [OUT.head] : [])]);
    const d = (k: string) => out[k].data as Float32Array & Int32Array;
    const bytes = Object.values(out).reduce((a, t) => a + (t.data as Float32Array).byteLength, 0);
    return {
      nll: d(OUT.nll), top1: d(OUT.top1), bytes,
      ...(pair ? { baseNll: d(OUT.baseNll), baseTop1: d(OUT.baseTop1), kl: d(OUT.kl) } : {}),
      ...(head ? { head: { logits: d(OUT.head), rows: out[OUT.head].dims[1], vocab: out[OUT.head].dims[2] } } : {}),
    };
  };
}

describe('bootstrap interval', () => {
  it('is deterministic and brackets the perplexity', () => {
    const nll = Float32Array.from({ length: 400 }, (_, i) => 3 + Math.sin(i) * 2);
    const win = Int32Array.from({ length: 400 }, (_, i) => Math.floor(i / 50));
    const a = bootstrapPpl(nll, win, 8);
    expect(bootstrapPpl(nll, win, 8)).toEqual(a);
    const ppl = Math.exp(nll.reduce((x, y) => x + y, 0) / 400);
    expect(a[0]).toBeLessThan(ppl);
    expect(a[1]).toBeGreaterThan(ppl);
    expect(bootstrapPpl(nll, new Int32Array(400), 1)[0]).toBeCloseTo(ppl, 9);
  });
});

describe.skipIf(!haveDemo)('evaluation graphs on the demo LM (onnxruntime-node)', () => {
  const model = haveDemo
    ? buildModel(gatherFiles(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].map(file)), readFileSync(DATASET, 'utf8'))
    : undefined!;

  it('the opset is read from the top-level fields without decoding the graph', () => {
    expect(defaultOpset(model.baselineBytes)).toBe(17);
  });

  it('the ReduceLogSumExp form (WASM sessions) scores like the written-out log-softmax: same top-1, NLL within f32 rounding', async () => {
    const a = await open(scoredModel(model.baselineBytes));
    const b = await open(scoredModel(model.baselineBytes, { logSumExp: true }));
    const sa = await scoreWindows(model.datasetIds, SETTINGS, await scoredRunner(a));
    const sb = await scoreWindows(model.datasetIds, SETTINGS, await scoredRunner(b));
    expect(sb.nll.length).toBe(sa.nll.length);
    expect(Array.from(sb.top1)).toEqual(Array.from(sa.top1));
    // logsumexp − logit vs −(logit − max − log Σ): the same sums over the vocabulary, accumulated in
    // another order in f32 (each about 1e-5 from the exact value), so equal to rounding, not to the bit
    let worst = 0;
    let sumA = 0;
    let sumB = 0;
    for (let i = 0; i < sa.nll.length; i++) {
      worst = Math.max(worst, Math.abs(sb.nll[i] - sa.nll[i]));
      sumA += sa.nll[i];
      sumB += sb.nll[i];
    }
    expect(worst).toBeLessThan(1e-4);
    expect(Math.abs(sumB / sumA - 1)).toBeLessThan(1e-6);
    // in a pair graph the same form gives the same NLL to the bit, so a model scores alike alone and paired
    const pair = await open(pairModel(model.baselineBytes, model.baselineBytes, { logSumExp: true }));
    const sp = await scoreWindows(model.datasetIds, SETTINGS, await scoredRunner(pair));
    expect(Array.from(sp.nll)).toEqual(Array.from(sb.nll));
    expect(Array.from(sp.baseNll!)).toEqual(Array.from(sb.nll));
    await a.release();
    await b.release();
    await pair.release();
  });

  it('in-graph NLL = JS log-softmax over full logits; ≤ 64 bytes read back per token', async () => {
    const plain = await open(model.baselineBytes);
    const ref = await slidingPerplexity(model.datasetIds, SETTINGS, async (ids) => {
      const n = ids.length;
      const ort = (await import('onnxruntime-node')).default;
      const out = await plain.run({ input_ids: new ort.Tensor('int64', ids, [1, n]), attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]) });
      return { logits: out.logits.data as Float32Array, vocab: out.logits.dims[2] };
    });
    const s = await open(scoredModel(model.baselineBytes));
    const scores = await scoreWindows(model.datasetIds, SETTINGS, await scoredRunner(s));
    const facts = tokenizerFacts(model.folder.tokenizerJson, model.tokenizer, model.summary.vocabSize);
    const stats = perplexityStats(scores, model.datasetIds, facts.bytes);
    expect(stats.tokensScored).toBe(ref.tokensScored);
    expect(Math.abs(stats.ppl / ref.ppl - 1)).toBeLessThan(1e-5);
    expect(scores.readbackBytes / scores.nll.length).toBeLessThanOrEqual(64);
    // the byte-level vocabulary: a token stands for as many bytes as its string has characters
    const text = model.tokenizer.decode(Array.from(model.datasetIds.subarray(0, 512)));
    let bytes = 0;
    for (let i = 0; i < 512; i++) bytes += facts.bytes[model.datasetIds[i]];
    expect(bytes).toBe(new TextEncoder().encode(text).length);
    expect(stats.bitsPerByte).toBeGreaterThan(0.5);
    expect(stats.bitsPerByte).toBeLessThan(4);
    expect(facts.bos).toMatch(/no BOS/);
    await plain.release();
    await s.release();
  });

  it('KL(base ‖ base) = 0 and top-1 agreement = 100 %, exactly', async () => {
    const s = await open(pairModel(model.baselineBytes, model.baselineBytes));
    const scores = await scoreWindows(model.datasetIds, SETTINGS, await scoredRunner(s));
    const k = klStats(scores);
    expect(scores.kl!.every((x) => x === 0)).toBe(true);
    expect(k.mean).toBe(0);
    expect(k.max).toBe(0);
    expect(k.top1).toBe(1);
    expect(k.pplRatio).toBe(1);
    expect(k.deltaP.mean).toBe(0);
    expect(scores.readbackBytes / scores.nll.length).toBeLessThanOrEqual(64);
    await s.release();
  });

  it('mean KL grows FP16 < INT8 < INT4 g32 < INT3 g32 < INT2 g32', async () => {
    // INT3 and INT2 by round-to-nearest, asymmetric, group 32 (the engine's 'rtn' method); the floor on
    // top-1 agreement is per format, since 2 bits per weight is expected to lose much of it
    const specs = [
      { method: 'fp16', options: {}, top1: 0.8 },
      { method: 'int8-channel', options: {}, top1: 0.8 },
      { method: 'int4-group', options: { groupSize: 32 }, top1: 0.8 },
      { method: 'rtn', options: { bits: 3, groupSize: 32, symmetric: false }, top1: 0.6 },
      { method: 'rtn', options: { bits: 2, groupSize: 32, symmetric: false }, top1: 0.3 },
    ] as const;
    const means: number[] = [];
    for (const [i, spec] of specs.entries()) {
      // every linear weight with the LM head (opt-in): with the head f32, FP16's KL is below f32 rounding
      const v = await makeVariant(model, { method: spec.method, options: spec.options, head: true }, 'cpu', new Job(`kl-${i}`));
      const s = await open(pairModel(model.baselineBytes, v.packedBytes));
      const k = klStats(await scoreWindows(model.datasetIds, SETTINGS, await scoredRunner(s)));
      await s.release();
      console.log(`${v.summary.label}: mean KL ${k.mean.toExponential(3)}, median ${k.median.toExponential(3)}, p99 ${k.p99.toExponential(3)}, max ${k.max.toExponential(3)}, top-1 ${(k.top1 * 100).toFixed(2)} %, ppl ratio ${k.pplRatio.toFixed(5)}, Δp mean ${k.deltaP.mean.toExponential(2)}`);
      expect(k.mean).toBeGreaterThan(0);
      expect(k.top1).toBeGreaterThan(spec.top1);
      means.push(k.mean);
    }
    for (let i = 1; i < means.length; i++) expect(means[i - 1]).toBeLessThan(means[i]);
  });
});
