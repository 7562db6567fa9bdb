/**
 * Evidence for a law that does not hold (docs/laws.md): is it a bug in the lab or a finding on
 * this model? In Node, TS reference kernels (cpu device), onnxruntime-node, on one demo LM:
 *   wanda     Wanda-50 % vs magnitude-50 %, per linear layer, with S calibration sequences:
 *             the layer-output error on the calibration tokens ‖X (W − Ŵ)ᵀ‖² = Σ_rows Δ H Δᵀ
 *             (H = Xᵀ X from the same tokens) relative to ‖X Wᵀ‖²; then perplexity with every
 *             layer pruned and with the LM head left dense, for each S
 *   gptq3     Δppl of GPTQ-3 g128 against RTN-3 g128 (GPTQ's grid with an identity Hessian, as
 *             tests/calibrated-laws.test.ts) for each S; the layer-output error of both per layer
 *             (first S), and its mean ratio by the layers' input width
 * Calibration: the last S × 256 tokens of the built-in text; scoring: its first 4,096 at context 256.
 *
 *   npx tsx --import ./scripts/raw-import.mjs scripts/laws-evidence.ts --model brown-gpt2 --what wanda --samples 16,64 [--out F]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { LinearWeight } from '../workers/api';
import { calibrationSource } from '../workers/calibration/calibrate';
import { withUnitCalibration } from '../workers/calibration/unit-stats';
import { linearView } from '../workers/compression/layout';
import { gptqMeta } from '../workers/compression/gptq/meta';
import { gptqReference } from '../workers/compression/gptq/reference';
import { compressTensor } from '../workers/compression/registry';
import { slidingPerplexity } from '../workers/eval/windows';
import { Job } from '../workers/jobs';
import type { LoadedModel } from '../workers/model/load';
import { readF32, writeVariant } from '../workers/model/onnx-graph';
import { makeVariant } from '../workers/variants/make-variant';
import { nodeCaptureRunner } from '../tests/capture-runner-node';
import { loadDemoLm, ort, windowRunner } from '../tests/local-models';
import { layerOutputError } from './evidence-scores';

const TOKENS = 4096;
const CONTEXT = 256;
const { values: a } = parseArgs({ options: { model: { type: 'string', default: 'brown-gpt2-tiny' }, what: { type: 'string', default: 'wanda,gptq3' }, samples: { type: 'string', default: '16,64' }, out: { type: 'string' } } });
const log = (s: string) => console.error(`[laws] ${s}`);
const r4 = (x: number) => Number(x.toPrecision(6));

async function ppl(model: LoadedModel, bytes: Uint8Array): Promise<number> {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  try {
    return (await slidingPerplexity(Array.from(model.datasetIds.subarray(0, TOKENS)), { tokens: TOKENS, context: CONTEXT, stride: CONTEXT }, windowRunner(s))).ppl;
  } finally {
    await s.release();
  }
}

const weightOf = (model: LoadedModel, w: LinearWeight) => readF32(model.parsed.tensors.get(w.name)!).slice();

async function wanda(model: LoadedModel, samples: number) {
  const job = new Job('laws-evidence');
  const hs = calibrationSource(model, model.linear, job, { need: 'hessian', sequences: samples, runner: nodeCaptureRunner });
  const ns = calibrationSource(model, model.linear, job, { need: 'norms', sequences: samples, runner: nodeCaptureRunner });
  const layers: Record<string, { magnitude_rel: number; wanda_rel: number; wanda_over_magnitude: number }> = {};
  const pruned = { magnitude: new Map<string, Float32Array>(), wanda: new Map<string, Float32Array>() };
  for (const w of model.linear) {
    const data = weightOf(model, w);
    const t = { name: w.name, data, shape: w.shape, layout: w.layout };
    const mag = (await compressTensor('magnitude-prune', { ratio: 0.5 }, t, 'cpu')).dequantized;
    const wan = (await compressTensor('wanda', { ratio: 0.5, samples }, { ...t, calibration: await ns.statsFor(w.name) }, 'cpu')).dequantized;
    const h = (await hs.statsFor(w.name)).hessian!;
    const base = layerOutputError(data, w, h);
    const err = (q: Float32Array) => layerOutputError(Float32Array.from(data, (x, i) => x - q[i]), w, h) / base;
    const [m, wd] = [err(mag), err(wan)];
    layers[w.name] = { magnitude_rel: r4(m), wanda_rel: r4(wd), wanda_over_magnitude: r4(wd / m) };
    pruned.magnitude.set(w.name, mag);
    pruned.wanda.set(w.name, wan);
    log(`${w.name.padEnd(36)} layer-output error / ‖XWᵀ‖²: magnitude ${m.toFixed(4)}  Wanda ${wd.toFixed(4)}  (${(wd / m).toFixed(2)}×)`);
  }
  const head = model.summary.lmHead!;
  const without = (m: Map<string, Float32Array>) => new Map([...m].filter(([k]) => k !== head));
  const out = {
    samples,
    layers,
    wanda_lower_in: Object.values(layers).filter((l) => l.wanda_over_magnitude < 1).length,
    of_layers: model.linear.length,
    ppl_all_layers: { magnitude_50: r4(await ppl(model, writeVariant(model.parsed, pruned.magnitude))), wanda_50: r4(await ppl(model, writeVariant(model.parsed, pruned.wanda))) },
    ppl_head_dense: { magnitude_50: r4(await ppl(model, writeVariant(model.parsed, without(pruned.magnitude)))), wanda_50: r4(await ppl(model, writeVariant(model.parsed, without(pruned.wanda)))) },
    head,
  };
  log(`samples ${samples}: ppl all layers magnitude ${out.ppl_all_layers.magnitude_50} Wanda ${out.ppl_all_layers.wanda_50}; head dense magnitude ${out.ppl_head_dense.magnitude_50} Wanda ${out.ppl_head_dense.wanda_50}; Wanda lower layer error in ${out.wanda_lower_in}/${out.of_layers}`);
  return out;
}

const rtn3Of = (model: LoadedModel, w: LinearWeight) =>
  gptqReference(withUnitCalibration({ name: w.name, data: weightOf(model, w), shape: w.shape, layout: w.layout }, gptqMeta), gptqMeta.resolveOptions({ bits: 3, groupSize: 128 })).dequantized;

function rtn3(model: LoadedModel): Uint8Array {
  return writeVariant(model.parsed, new Map(model.linear.map((w) => [w.name, rtn3Of(model, w)])));
}

/** Per layer: the layer-output error of GPTQ-3 and of RTN-3 on the calibration tokens, relative to ‖X Wᵀ‖², and by input width. */
async function gptq3Layers(model: LoadedModel, samples: number) {
  const hs = calibrationSource(model, model.linear, new Job('laws-evidence'), { need: 'hessian', sequences: samples, runner: nodeCaptureRunner });
  const layers: Record<string, { in_dim: number; rtn_rel: number; gptq_rel: number; gptq_over_rtn: number }> = {};
  const byWidth = new Map<number, number[]>();
  for (const w of model.linear) {
    const data = weightOf(model, w);
    const calibration = await hs.statsFor(w.name);
    const g = (await compressTensor('gptq', { bits: 3, groupSize: 128, samples }, { name: w.name, data, shape: w.shape, layout: w.layout, calibration }, 'cpu')).dequantized;
    const base = layerOutputError(data, w, calibration.hessian!);
    const err = (q: Float32Array) => layerOutputError(Float32Array.from(data, (x, i) => x - q[i]), w, calibration.hessian!) / base;
    const [r, gq] = [err(rtn3Of(model, w)), err(g)];
    const k = linearView(w.shape, w.layout).inDim;
    layers[w.name] = { in_dim: k, rtn_rel: r4(r), gptq_rel: r4(gq), gptq_over_rtn: r4(gq / r) };
    byWidth.set(k, [...(byWidth.get(k) ?? []), gq / r]);
    log(`${w.name.padEnd(36)} in ${k}: layer-output error RTN-3 ${r.toExponential(3)}  GPTQ-3 ${gq.toExponential(3)}  (${(gq / r).toFixed(3)}×)`);
  }
  const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
  return { samples, layers, mean_gptq_over_rtn_by_in_dim: Object.fromEntries([...byWidth].map(([k, xs]) => [k, r4(mean(xs))])) };
}

async function main() {
  const model = loadDemoLm(a.model);
  const samples = a.samples!.split(',').map(Number);
  const what = new Set(a.what!.split(','));
  const baseline = r4(await ppl(model, model.baselineBytes));
  log(`${a.model}: baseline ppl ${baseline} on ${TOKENS} tokens`);
  const report: Record<string, unknown> = { model: a.model, baseline, tokens: TOKENS, context: CONTEXT };
  if (what.has('wanda')) {
    report.wanda = [];
    for (const s of samples) (report.wanda as unknown[]).push(await wanda(model, s));
  }
  if (what.has('gptq3')) {
    const rtn = r4(await ppl(model, rtn3(model)));
    const rows = [];
    for (const s of samples) {
      const v = await makeVariant(model, { method: 'gptq', options: { bits: 3, groupSize: 128, samples: s }, head: true }, 'cpu', new Job('gptq3'), { captureRunner: nodeCaptureRunner });
      const g = r4(await ppl(model, v.packedBytes));
      rows.push({ samples: s, gptq3_g128: g, rtn3_g128: rtn, delta_ratio: r4((g - baseline) / (rtn - baseline)) });
      log(`GPTQ-3 g128 with ${s} sequences: ${g} vs RTN-3 ${rtn} (baseline ${baseline}): Δ ratio ${((g - baseline) / (rtn - baseline)).toFixed(3)}`);
    }
    report.gptq3 = rows;
    report.gptq3_layers = await gptq3Layers(model, samples[0]);
  }
  const text = JSON.stringify(report, null, 2) + '\n';
  if (a.out) writeFileSync(a.out, text);
  else process.stdout.write(text);
}

void main();
