/**
 * The demo LM's compression response (metrics.json → compression_response, measured by
 * tools/compression_response.py in PyTorch + numpy) reproduced twice in onnxruntime-node on the
 * shipped onnx/model.onnx, on the same first tokens, context and stride:
 *   1. by a small independent quantizer written here (plain loops, no lab code): checks the figures;
 *   2. by the lab's own kernels (TS references) and packed models, for every variant the lab has:
 *      the strongest end-to-end check the kernels and the packing can get. The tool compressed every
 *      linear weight with the LM head, so the lab's variants opt the head in (head: true; the lab
 *      leaves it f32 by default).
 * Both within 0.5 %. A mismatch in (1) means the tool and the ONNX export disagree (re-run
 * `npm run models:build`); in (2) only, a lab kernel or packed form computes something else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MethodOptions, MethodId } from '../workers/api';
import { slidingPerplexity } from '../workers/eval/windows';
import { Job } from '../workers/jobs';
import { buildModel, gatherFiles, type DroppedFile, type LoadedModel } from '../workers/model/load';
import { readF32, writeVariant } from '../workers/model/onnx-graph';
import { makeVariant } from '../workers/variants/make-variant';
import { DEMO_LMS, ort, readJson, windowRunner } from './local-models';

// DEMO_LM_DIR: check a candidate model folder before it replaces a shipped one
const DIRS = process.env.DEMO_LM_DIR ? [process.env.DEMO_LM_DIR] : DEMO_LMS.map((m) => join('public', 'models', m));
const TOL = 0.005;

interface Point { ppl: number; tokens: number; context: number; stride?: number }

/** The lab's method for each response variant it can make. */
const LAB: Record<string, [MethodId, MethodOptions]> = {
  int8_channel: ['int8-channel', {}],
  int4_g32: ['int4-group', { groupSize: 32 }],
  int4_g128: ['int4-group', { groupSize: 128 }],
  int3_g32: ['rtn', { bits: 3, groupSize: 32, symmetric: false }],
  int2_g32: ['rtn', { bits: 2, groupSize: 32, symmetric: false }],
  prune_50: ['magnitude-prune', { ratio: 0.5 }],
  prune_90: ['magnitude-prune', { ratio: 0.9 }],
};

// ---- the independent quantizer: weights seen as (out, in), groups along in ----
type View = { out: number; inn: number; at: (o: number, i: number) => number };
const viewOf = (shape: number[], layout: string): View =>
  layout === 'out_in' ? { out: shape[0], inn: shape[1], at: (o, i) => o * shape[1] + i } : { out: shape[1], inn: shape[0], at: (o, i) => i * shape[1] + o };

function rtn(w: Float32Array, v: View, bits: number, group: number): Float32Array {
  const out = new Float32Array(w.length);
  const levels = 2 ** bits - 1;
  for (let o = 0; o < v.out; o++) {
    for (let g = 0; g < v.inn; g += group) {
      let lo = 0;
      let hi = 0;
      for (let i = g; i < Math.min(v.inn, g + group); i++) { lo = Math.min(lo, w[v.at(o, i)]); hi = Math.max(hi, w[v.at(o, i)]); }
      const s = Math.max((hi - lo) / levels, 1e-30);
      const zp = Math.min(levels, Math.max(0, Math.round(-lo / s)));
      for (let i = g; i < Math.min(v.inn, g + group); i++) {
        const q = Math.min(levels, Math.max(0, Math.round(w[v.at(o, i)] / s) + zp));
        out[v.at(o, i)] = (q - zp) * s;
      }
    }
  }
  return out;
}

function int8Channel(w: Float32Array, v: View): Float32Array {
  const out = new Float32Array(w.length);
  for (let o = 0; o < v.out; o++) {
    let m = 0;
    for (let i = 0; i < v.inn; i++) m = Math.max(m, Math.abs(w[v.at(o, i)]));
    const s = Math.max(m / 127, 1e-30);
    for (let i = 0; i < v.inn; i++) out[v.at(o, i)] = Math.max(-127, Math.min(127, Math.round(w[v.at(o, i)] / s))) * s;
  }
  return out;
}

function prune(w: Float32Array, ratio: number): Float32Array {
  const k = Math.floor(ratio * w.length + 0.5);
  const order = Array.from(w.keys()).sort((a, b) => Math.abs(w[a]) - Math.abs(w[b]) || a - b);
  const out = w.slice();
  for (let j = 0; j < k; j++) out[order[j]] = 0;
  return out;
}

const INDEPENDENT: Record<string, (w: Float32Array, v: View) => Float32Array> = {
  int8_channel: int8Channel,
  int4_g32: (w, v) => rtn(w, v, 4, 32),
  int4_g128: (w, v) => rtn(w, v, 4, 128),
  int3_g32: (w, v) => rtn(w, v, 3, 32),
  int2_g32: (w, v) => rtn(w, v, 2, 32),
  prune_50: (w) => prune(w, 0.5),
  prune_90: (w) => prune(w, 0.9),
};

for (const DIR of DIRS) describe(`the compression response of ${DIR}`, () => {
  const metrics = readJson(join(DIR, 'metrics.json'));
  const response: Record<string, Point> = metrics.compression_response ?? {};
  let model: LoadedModel;
  let ids: BigInt64Array;
  const file = (path: string): DroppedFile => {
    const b = readFileSync(join(DIR, path));
    return { path, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  };
  beforeAll(() => {
    model = buildModel(gatherFiles(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].map(file)), readFileSync('public/datasets/brown-test.txt', 'utf8'));
    ids = BigInt64Array.from(model.datasetIds.subarray(0, response.baseline?.tokens ?? 0), (x) => BigInt(x));
  });

  async function ppl(bytes: Uint8Array, p: Point): Promise<number> {
    const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
    try {
      return (await slidingPerplexity(Array.from(ids, Number), { tokens: p.tokens, context: p.context, stride: p.stride ?? p.context }, windowRunner(s))).ppl;
    } finally {
      await s.release();
    }
  }

  it('is in metrics.json with every variant the goals name', () => {
    expect(Object.keys(response).sort()).toEqual(['baseline', ...Object.keys(INDEPENDENT)].sort());
    expect(response.baseline.tokens).toBe(4096);
    expect(response.baseline.context).toBe(256);
  });

  it('baseline: onnxruntime-node on the shipped model', async () => {
    const got = await ppl(model.baselineBytes, response.baseline);
    expect(Math.abs(got / response.baseline.ppl - 1)).toBeLessThan(TOL);
  }, 60_000);

  for (const key of Object.keys(INDEPENDENT)) {
    it(`${key}: an independent quantizer here reproduces the tool's figure in onnxruntime-node`, async () => {
      const replace = new Map<string, Float32Array>();
      for (const w of model.linear) replace.set(w.name, INDEPENDENT[key](readF32(model.parsed.tensors.get(w.name)!), viewOf(w.shape, w.layout)));
      const got = await ppl(writeVariant(model.parsed, replace), response[key]);
      console.log(`${key}: tool ${response[key].ppl.toFixed(3)}, independent TS + onnxruntime-node ${got.toFixed(3)}`);
      expect(Math.abs(got / response[key].ppl - 1)).toBeLessThan(TOL);
    }, 120_000);
  }

  for (const [key, [method, options]] of Object.entries(LAB)) {
    it(`${key}: the lab's kernels and packed model reproduce the tool's figure`, async () => {
      const v = await makeVariant(model, { method, options, head: true }, 'cpu', new Job(`response-${key}`));
      const got = await ppl(v.packedBytes, response[key]);
      console.log(`${key}: tool ${response[key].ppl.toFixed(3)}, lab packed (${v.summary.format}) in onnxruntime-node ${got.toFixed(3)}`);
      expect(Math.abs(got / response[key].ppl - 1)).toBeLessThan(TOL);
    }, 120_000);
  }
});
