/**
 * The calibrated methods' laws on the default demo LM (brown-gpt2-tiny, the model the page opens
 * with and the bench measures the laws on: scripts/bench-methods.ts LAWS_MODEL), in
 * onnxruntime-node on the lab's own variants: the calibration runs the capture model
 * (calibration/capture-graph.ts) on the last CALIB_SAMPLES × 256 tokens of the built-in text,
 * accumulates with the TS reference (the cpu kernel device), and every variant is scored on the
 * first 4,096 tokens at context 256 (so the two do not overlap).
 *   Wanda-50 % < magnitude-50 %;  Wanda 2:4 above Wanda 50 % unstructured;  GPTQ-4 g128 < RTN-4 g128
 *   GPTQ-3 g128 ≪ RTN-3 g128 ("≪": GPTQ's Δppl at most half RTN's) does NOT hold on this model: GPTQ
 *   takes 0.58 of RTN's Δppl with 32 sequences (0.61 with 16, 0.49 with 128: it holds with more
 *   calibration data). A finding, not a bug (docs/laws.md has the evidence: GPTQ brings every
 *   layer's output error on the calibration tokens to 0.36–0.39 of RTN's; the perplexity gain on
 *   held-out text grows with the calibration set). The test holds the finding (GPTQ-3 better than RTN-3, by
 *   less than half), so the day it changes it says so.
 * AWQ-4 g128 < RTN-4 g128 does NOT hold beyond the evaluation's noise on this model, at the lab's
 *   default settings (LM head f32), with AWQ's search as its paper's code does it (mean |x|, every
 *   output row, 20 α, α = 0 = RTN kept on ties): 185.80 vs 185.87 at S 32, 186.08 at S 8, 186.01 at
 *   S 128, each within 0.25 paired standard errors (16 windows). A finding, not a bug (docs/laws.md:
 *   an independent numpy search picks the lab's α in every layer; AWQ lowers the layer-output error
 *   on the calibration tokens by only 6-9 % on this model, RTN-4 costs 2.5 % of perplexity to begin
 *   with). The test holds the tie: AWQ-4 within ±1.5 % of RTN-4.
 * RTN-3 here is GPTQ with an identity Hessian, which is round to nearest on int4-group's grid
 * (workers/compression/gptq/gptq.test.ts holds them equal). Wanda-50 % < magnitude-50 % did not
 * hold on brown-gpt2 (a finding there, docs/laws.md); it holds on this model.
 * Every variant compresses every linear weight with the LM head (head: true), as the laws were
 * measured and recorded (docs/laws.md), except AWQ's, made with the lab's defaults (head f32).
 * Calibration's determinism: tests/calibration-determinism.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { VariantSpec } from '../workers/api';
import { withUnitCalibration } from '../workers/calibration/unit-stats';
import { gptqMeta } from '../workers/compression/gptq/meta';
import { gptqReference } from '../workers/compression/gptq/reference';
import { slidingPerplexity } from '../workers/eval/windows';
import { Job } from '../workers/jobs';
import { buildModel, gatherFiles, type DroppedFile, type LoadedModel } from '../workers/model/load';
import { readF32, writeVariant } from '../workers/model/onnx-graph';
import { makeVariant } from '../workers/variants/make-variant';
import { nodeCaptureRunner } from './capture-runner-node';
import { ort, windowRunner } from './local-models';
import { LAWS_MODEL } from '../scripts/bench-methods';

const DIR = join('public', 'models', LAWS_MODEL);
const TOKENS = 4096;
const CONTEXT = 256;
const SAMPLES = Number(process.env.CALIB_SAMPLES ?? 32);
/** AWQ-4 vs RTN-4: the band of the evaluation's noise (see the test) */
const AWQ_NOISE_BAND = 0.015;

describe(`calibrated methods on the default demo LM (${LAWS_MODEL})`, () => {
  let model: LoadedModel;
  let ids: number[];
  const ppl: Record<string, number> = {};
  const file = (path: string): DroppedFile => {
    const b = readFileSync(join(DIR, path));
    return { path, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  };

  async function score(bytes: Uint8Array): Promise<number> {
    const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
    try {
      return (await slidingPerplexity(ids, { tokens: TOKENS, context: CONTEXT, stride: CONTEXT }, windowRunner(s))).ppl;
    } finally {
      await s.release();
    }
  }

  async function variant(name: string, spec: VariantSpec): Promise<void> {
    const v = await makeVariant(model, { ...spec, head: true }, 'cpu', new Job(name), { captureRunner: nodeCaptureRunner });
    ppl[name] = await score(v.packedBytes);
    const c = v.summary.calibration;
    console.log(`${name.padEnd(10)} ppl ${ppl[name].toFixed(2)}  bits/weight ${v.summary.bitsPerWeight.toFixed(3)}  make ${(v.summary.makeMs / 1000).toFixed(1)} s${c ? `  (calibration ${c.sequences}×${c.context} tokens from ${c.firstToken}, ${(c.ms / 1000).toFixed(1)} s)` : ''}  ${v.summary.format}`);
  }

  /** Round to nearest on GPTQ's grid: GPTQ with an identity Hessian, every linear weight, dense f32. */
  function rtnBytes(bits: 3 | 4): Uint8Array {
    const out = new Map<string, Float32Array>();
    for (const w of model.linear) {
      const t = withUnitCalibration({ name: w.name, data: readF32(model.parsed.tensors.get(w.name)!).slice(), shape: w.shape, layout: w.layout }, gptqMeta);
      out.set(w.name, gptqReference(t, gptqMeta.resolveOptions({ bits, groupSize: 128 })).dequantized);
    }
    return writeVariant(model.parsed, out);
  }

  beforeAll(async () => {
    model = buildModel(gatherFiles(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].map(file)), readFileSync('public/datasets/brown-test.txt', 'utf8'));
    ids = Array.from(model.datasetIds.subarray(0, TOKENS));
    ppl.baseline = await score(model.baselineBytes);
  });

  it('calibrates on tokens the evaluation does not read', async () => {
    // head: true as in the laws below, so they reuse these statistics (the calibration's key carries the head)
    const v = await makeVariant(model, { method: 'wanda', options: { ratio: 0.5, samples: SAMPLES }, head: true }, 'cpu', new Job('wanda50'), { captureRunner: nodeCaptureRunner });
    expect(v.summary.calibration!.firstToken).toBeGreaterThanOrEqual(TOKENS);
    expect(v.summary.calibration!.sequences * v.summary.calibration!.context).toBe(SAMPLES * CONTEXT);
    expect(v.summary.storage).toBe('dense');
  });

  it('Wanda-50 % < magnitude-50 %, and Wanda 2:4 ends above Wanda 50 % unstructured', async () => {
    await variant('magnitude50', { method: 'magnitude-prune', options: { ratio: 0.5 } });
    await variant('wanda50', { method: 'wanda', options: { ratio: 0.5, samples: SAMPLES } });
    await variant('wanda2:4', { method: 'wanda', options: { pattern: '2:4', samples: SAMPLES } });
    console.log(`baseline ppl ${ppl.baseline.toFixed(2)}`);
    expect(ppl['wanda2:4']).toBeGreaterThan(ppl.wanda50);
    expect(ppl.wanda50).toBeLessThan(ppl.magnitude50);
  });

  it('GPTQ-4 < RTN-4 and GPTQ-3 ≪ RTN-3 (group 128)', async () => {
    await variant('rtn4', { method: 'int4-group', options: { groupSize: 128 } });
    await variant('gptq4', { method: 'gptq', options: { bits: 4, groupSize: 128, samples: SAMPLES } });
    await variant('gptq3', { method: 'gptq', options: { bits: 3, groupSize: 128, samples: SAMPLES } });
    ppl.rtn3 = await score(rtnBytes(3));
    console.log(`rtn3       ppl ${ppl.rtn3.toFixed(2)}  (GPTQ grid, identity Hessian, dense f32)`);
    console.log(JSON.stringify(ppl));
    expect(ppl.gptq4).toBeLessThan(ppl.rtn4);
    // GPTQ-3 ≪ RTN-3 does not hold on this model (see the header): the finding is held, both ways
    const ratio = (ppl.gptq3 - ppl.baseline) / (ppl.rtn3 - ppl.baseline);
    console.log(`GPTQ-3 / RTN-3 Δppl ${ratio.toFixed(3)}`);
    expect(ratio, 'GPTQ-3 must beat RTN-3').toBeLessThan(1);
    expect(ratio, 'finding: GPTQ-3 takes more than half of RTN-3\'s Δppl on this model; if the law now holds, update the header and docs/laws.md').toBeGreaterThan(0.5);
  });

  it('AWQ-4 ≈ RTN-4 (group 128, the lab\'s default settings): within the evaluation\'s noise, neither side', async () => {
    // the default: the LM head left f32 (not head: true as above), AWQ's default 32 sequences
    const make = async (name: string, spec: VariantSpec) => {
      ppl[name] = await score((await makeVariant(model, spec, 'cpu', new Job(name), { captureRunner: nodeCaptureRunner })).packedBytes);
      console.log(`${name.padEnd(10)} ppl ${ppl[name].toFixed(3)}  (head f32)`);
    };
    await make('rtn4_default', { method: 'int4-group', options: { groupSize: 128 } });
    await make('awq4_default', { method: 'awq', options: { bits: 4, groupSize: 128, samples: SAMPLES } });
    const r = ppl.awq4_default / ppl.rtn4_default;
    console.log(`AWQ-4 / RTN-4 ${r.toFixed(4)}`);
    // ±1.5 %: 3.1-5.2 paired standard errors of this evaluation (0.29-0.48 % of the perplexity at
    // S 8-128, head f32: scripts/awq-evidence.ts). Measured 0.9996 at S 32 (1.0011 at 8, 1.0008 at 128).
    expect(r, 'AWQ-4 is more than 1.5 % worse than RTN-4: AWQ at α = 0 is RTN, so this is a bug').toBeLessThan(1 + AWQ_NOISE_BAND);
    expect(r, 'finding: AWQ-4 ties RTN-4 on this model; if it now wins beyond the noise, the law holds: update the header and docs/laws.md').toBeGreaterThan(1 - AWQ_NOISE_BAND);
  });
});

/**
 * SparseGPT-50 % < magnitude-50 % (and SparseGPT 2:4 < magnitude 2:4) at the same sparsity, on the
 * default demo LM (brown-gpt2-tiny, 0.74 M parameters): 8 calibration
 * sequences of 256 tokens from the end of the built-in text, 2,048 scored tokens from its start at
 * context 256, onnxruntime-node. Every linear weight, the LM head included, for both methods.
 */
describe(`SparseGPT on the default demo LM (${LAWS_MODEL})`, () => {
  const DEMO = join('public', 'models', LAWS_MODEL);
  const DEMO_TOKENS = 2048;
  const DEMO_SAMPLES = 8;
  let demo: LoadedModel;
  let demoIds: number[];
  const demoPpl: Record<string, number> = {};
  const file = (path: string): DroppedFile => {
    const b = readFileSync(join(DEMO, path));
    return { path, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  };
  async function score(bytes: Uint8Array): Promise<number> {
    const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
    try {
      return (await slidingPerplexity(demoIds, { tokens: DEMO_TOKENS, context: CONTEXT, stride: CONTEXT }, windowRunner(s))).ppl;
    } finally {
      await s.release();
    }
  }
  async function variant(name: string, spec: VariantSpec): Promise<void> {
    const v = await makeVariant(demo, { ...spec, head: true }, 'cpu', new Job(name), { captureRunner: nodeCaptureRunner });
    demoPpl[name] = await score(v.packedBytes);
    const sparsity = v.summary.tensors.reduce((a, t) => a + t.sparsity * t.params, 0) / v.summary.tensors.reduce((a, t) => a + t.params, 0);
    console.log(`demo ${name.padEnd(14)} ppl ${demoPpl[name].toFixed(2)}  sparsity ${(100 * sparsity).toFixed(2)} %  make ${(v.summary.makeMs / 1000).toFixed(1)} s`);
  }

  beforeAll(async () => {
    demo = buildModel(gatherFiles(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].map(file)), readFileSync('public/datasets/brown-test.txt', 'utf8'));
    demoIds = Array.from(demo.datasetIds.subarray(0, DEMO_TOKENS));
    demoPpl.baseline = await score(demo.baselineBytes);
  });

  it('SparseGPT-50 % < magnitude-50 % and SparseGPT 2:4 < magnitude 2:4', async () => {
    await variant('magnitude50', { method: 'magnitude-prune', options: { ratio: 0.5 } });
    await variant('sparsegpt50', { method: 'sparsegpt', options: { ratio: 0.5, samples: DEMO_SAMPLES } });
    await variant('magnitude2:4', { method: 'nm-prune', options: { pattern: '2:4' } });
    await variant('sparsegpt2:4', { method: 'sparsegpt', options: { pattern: '2:4', samples: DEMO_SAMPLES } });
    console.log(`demo baseline ppl ${demoPpl.baseline.toFixed(2)}  ${JSON.stringify(demoPpl)}`);
    expect(demoPpl.sparsegpt50).toBeLessThan(demoPpl.magnitude50);
    expect(demoPpl['sparsegpt2:4']).toBeLessThan(demoPpl['magnitude2:4']);
  });
});
