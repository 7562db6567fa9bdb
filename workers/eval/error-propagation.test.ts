// Error propagation on the demo LM in onnxruntime-node: the engine's measurement (its block finder,
// its appended graph outputs, its divergence loop) against a reference written here from scratch —
// its own protobuf edit (the graph's outputs replaced by the inputs of the LayerNormalization nodes
// named ln_1 / ln_f), its own ORT sessions and its own per-token arithmetic in float64 — on the same
// two windows. Base against base is exactly 0; INT4 g32 must give the same numbers both ways.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { loadDemoLm, ort } from '../../tests/local-models';
import type { CaptureRunner } from '../calibration/calibrate';
import { Job } from '../jobs';
import { buildModel, gatherFiles, type DroppedFile } from '../model/load';
import { makeVariant } from '../variants/make-variant';
import { addDivergence, measurePropagation } from './error-propagation';

const DEMO = 'public/models/brown-gpt2';
const DATASET = 'public/datasets/brown-test.txt';
const haveDemo = existsSync(join(DEMO, 'onnx/model.onnx')) && existsSync(DATASET);

const llamaFile = (path: string): DroppedFile => {
  const dir = 'e2e/fixtures/tiny-llama';
  const b = readFileSync(join(dir, path));
  return { path, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
};

/** input_ids (+ attention_mask of ones when the graph takes one), batch 1. */
function feedsFor(names: readonly string[], ids: BigInt64Array) {
  const n = ids.length;
  const f: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', ids, [1, n]) };
  if (names.includes('attention_mask')) f.attention_mask = new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
  return f;
}

/** The engine's runner interface on onnxruntime-node. */
const nodeRunner: CaptureRunner = async (bytes, outputs) => {
  const s = await ort.InferenceSession.create(bytes);
  return {
    run: async (ids) => {
      const out = await s.run(feedsFor(s.inputNames, ids), outputs as string[]);
      return outputs.map((o) => out[o].data as Float32Array);
    },
    close: () => s.release(),
  };
};

/** Reference: the model with its outputs replaced by the ln_1 / ln_f inputs, decoded and re-encoded here. */
function referenceGraph(bytes: Uint8Array): { bytes: Uint8Array; names: string[] } {
  const m = onnxProto.onnx.ModelProto.decode(bytes);
  const names = m.graph!.node!.filter((n) => n.opType === 'LayerNormalization' && /\/(ln_1|ln_f)\//.test(n.name ?? '')).map((n) => n.input![0]);
  m.graph!.output = names.map((name) => onnxProto.onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: 1 } } }));
  return { bytes: onnxProto.onnx.ModelProto.encode(m).finish(), names };
}

async function referenceStates(bytes: Uint8Array, windows: BigInt64Array[]): Promise<{ names: string[]; states: Float32Array[][] }> {
  const g = referenceGraph(bytes);
  const s = await ort.InferenceSession.create(g.bytes);
  const states: Float32Array[][] = [];
  for (const w of windows) {
    const out = await s.run(feedsFor(s.inputNames, w));
    states.push(g.names.map((n) => out[n].data as Float32Array));
  }
  await s.release();
  return { names: g.names, states };
}

/** Per boundary: mean and max over tokens of |h_v − h_b| / |h_b|, each token's vector of `hidden` floats. */
function referenceDivergence(base: Float32Array[][], variant: Float32Array[][], hidden: number): { mean: number; max: number }[] {
  return base[0].map((_, k) => {
    const ratios: number[] = [];
    base.forEach((win, w) => {
      const b = win[k];
      const v = variant[w][k];
      for (let t = 0; t < b.length / hidden; t++) {
        const row = (x: Float32Array) => Array.from(x.subarray(t * hidden, (t + 1) * hidden));
        const bRow = row(b);
        const vRow = row(v);
        const num = Math.hypot(...vRow.map((x, i) => x - bRow[i]));
        ratios.push(num / Math.hypot(...bRow));
      }
    });
    return { mean: ratios.reduce((a, r) => a + r, 0) / ratios.length, max: Math.max(...ratios) };
  });
}

describe('divergence arithmetic', () => {
  it('per token ‖v − b‖ / ‖b‖, mean and max', () => {
    const acc = { sum: 0, max: 0, count: 0 };
    // two tokens of hidden size 2: (3, 4) vs (3, 5) → 1/5; (1, 0) vs (1, 0) → 0
    addDivergence(acc, Float32Array.of(3, 4, 1, 0), Float32Array.of(3, 5, 1, 0), 2);
    expect(acc.count).toBe(2);
    expect(acc.sum / acc.count).toBeCloseTo(0.1, 7);
    expect(acc.max).toBeCloseTo(0.2, 7);
    expect(() => addDivergence(acc, new Float32Array(4), new Float32Array(6), 2)).toThrow(/differ in shape/);
  });
});

describe.skipIf(!haveDemo)('error propagation on the demo LM (onnxruntime-node)', () => {
  const model = haveDemo ? loadDemoLm() : undefined!;
  const context = 256;
  const windows = [0, 1].map((w) => BigInt64Array.from(model.datasetIds.subarray(w * context, (w + 1) * context), (x) => BigInt(x)));

  it('base vs base is exactly 0; INT4 g32 equals the independent reference', async () => {
    const v = await makeVariant(model, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu', new Job('int4'));
    const targets = [
      { id: 'baseline', label: 'baseline', bytes: () => model.baselineBytes },
      { id: 'int4', label: 'INT4 g32', bytes: () => v.packedBytes },
    ];
    const out = await measurePropagation(model.parsed.proto.graph!, () => model.baselineBytes, targets, windows, nodeRunner, new Job('prop'));
    const [same, int4] = out.results;
    expect(same.points.every((p) => p.mean === 0 && p.max === 0)).toBe(true);

    const ref = await referenceStates(model.baselineBytes, windows);
    const refVar = await referenceStates(v.packedBytes, windows);
    expect(out.boundaries.map((b) => b.tensor)).toEqual(ref.names);
    const hidden = Number(model.folder.config.n_embd);
    const expected = referenceDivergence(ref.states, refVar.states, hidden);
    console.log(`INT4 g32 on 2 × ${context} tokens, relative hidden-state divergence per boundary (mean / max): ${int4.points.map((p) => `${p.label} ${p.mean.toExponential(3)} / ${p.max.toExponential(3)}`).join('; ')}`);
    console.log(`reference: ${expected.map((e) => `${e.mean.toExponential(3)} / ${e.max.toExponential(3)}`).join('; ')}`);
    int4.points.forEach((p, k) => {
      expect(Math.abs(p.mean - expected[k].mean)).toBeLessThanOrEqual(1e-6 * Math.max(expected[k].mean, 1e-12));
      expect(Math.abs(p.max - expected[k].max)).toBeLessThanOrEqual(1e-6 * Math.max(expected[k].max, 1e-12));
    });
    // the embedding table is not a linear weight here (the LM head has its own): nothing changed before block 0
    expect(int4.points[0].mean).toBe(0);
    // after it, every block output has moved
    for (const p of int4.points.slice(1)) expect(p.mean).toBeGreaterThan(1e-4);
  });

  it('a cancelled measurement stops between windows', async () => {
    const job = new Job('prop-cancel');
    const { cancelJob } = await import('../jobs');
    cancelJob('prop-cancel');
    await expect(measurePropagation(model.parsed.proto.graph!, () => model.baselineBytes, [], windows, nodeRunner, job)).rejects.toThrow(/cancelled/);
    job.end();
  });
});

describe.skipIf(!existsSync('e2e/fixtures/tiny-llama/onnx/model.onnx') || !existsSync(DATASET))('error propagation on the tiny Llama (onnxruntime-node)', () => {
  it('finds its 2 blocks and measures a variant that moved them', async () => {
    const model = buildModel(gatherFiles(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].map(llamaFile)), readFileSync(DATASET, 'utf8'));
    const v = await makeVariant(model, { method: 'rtn', options: { bits: 2, groupSize: 32 } }, 'cpu', new Job('llama-int2'));
    const windows = [BigInt64Array.from(model.datasetIds.subarray(0, 64), (x) => BigInt(x))];
    const out = await measurePropagation(model.parsed.proto.graph!, () => model.baselineBytes, [{ id: 'v', label: 'INT2', bytes: () => v.packedBytes }], windows, nodeRunner, new Job('llama-prop'));
    expect(out.boundaries.map((b) => b.label)).toEqual(['embeddings', 'block 0', 'block 1']);
    const [r] = out.results;
    console.log(`tiny Llama INT2 g32 on 64 tokens: ${r.points.map((p) => `${p.label} ${p.mean.toExponential(3)}`).join('; ')}`);
    expect(r.points[2].mean).toBeGreaterThan(0);
  });
});
