/**
 * The calibrated-methods part of `npm run bench` (issue 9): the lab's own variants of the demo LM,
 * made in Node by the engine's makeVariant with the TS reference kernels (the cpu kernel device),
 * calibration captured by onnxruntime-node on the last SAMPLES × 256 tokens of the built-in text,
 * every packed model scored by onnxruntime-node on the first `tokens` tokens at context 256,
 * stride 256 (so calibration and evaluation tokens do not overlap). Per method: ppl, kld_mean
 * (KL(base ‖ variant) per scored token, nats, same windows), bits_per_weight (from the packed
 * layout, scales and zero points included) and make_ms (makeVariant wall time, calibration
 * included; a statistic kept from the previous variant of the same kind is not timed again, see
 * calibration_ms). Laws: {"holds", "values", "rule"} each, and a false one its "finding" or "bug"
 * (law-findings.ts).
 *
 * On the default demo LM (LAWS_MODEL); then GPTQ-4 g128 of the 124 M shape in Chromium
 * (bench-gptq-124m.ts) for calibration.gptq_124m_s and peak_rss_over_idle_bytes.
 *
 *   npx tsx --import ./scripts/raw-import.mjs scripts/bench-calibrated.ts [--out FILE] [--tokens 4096] [--samples 16]
 *       [--model brown-gpt2-tiny] [--samples-124m 4 (0: skip)] [--port 5201]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { VariantSpec } from '../workers/api';
import { slidingWindows } from '../workers/eval/windows';
import { Job } from '../workers/jobs';
import { buildModel, gatherFiles, type LoadedModel } from '../workers/model/load';
import { makeVariant } from '../workers/variants/make-variant';
import { nodeCaptureRunner } from '../tests/capture-runner-node';
import { DATASETS, MODELS, ort } from '../tests/local-models';
import { benchGptq124m, GPTQ_124M_SAMPLES } from './bench-gptq-124m';
import { LAWS_MODEL } from './bench-methods';
import { explainLaws, type Law } from './law-findings';

const CONTEXT = 256;

function methods(samples: number): Record<string, VariantSpec> {
  return {
    // not 'magnitude_50': bench-methods.ts has that key on fewer tokens
    magnitude_50_vs_wanda: { method: 'magnitude-prune', options: { ratio: 0.5 } },
    wanda_50: { method: 'wanda', options: { ratio: 0.5, samples } },
    wanda_2of4: { method: 'wanda', options: { pattern: '2:4', samples } },
    rtn4_g128: { method: 'int4-group', options: { groupSize: 128 } },
    gptq4_g128: { method: 'gptq', options: { bits: 4, groupSize: 128, samples } },
    rtn3_g128: { method: 'rtn', options: { bits: 3, groupSize: 128, symmetric: false } as VariantSpec['options'] },
    gptq3_g128: { method: 'gptq', options: { bits: 3, groupSize: 128, samples } },
    awq4_g128: { method: 'awq', options: { bits: 4, groupSize: 128, samples } },
    awq3_g128: { method: 'awq', options: { bits: 3, groupSize: 128, samples } },
    rtn2_g128: { method: 'rtn', options: { bits: 2, groupSize: 128, symmetric: false } as VariantSpec['options'] },
    gptq2_g128: { method: 'gptq', options: { bits: 2, groupSize: 128, samples } },
  };
}

function loadDemo(name: string): LoadedModel {
  const dir = path.join(MODELS, name);
  const file = (p: string) => {
    const b = readFileSync(path.join(dir, p));
    return { path: p, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  };
  return buildModel(gatherFiles(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].map(file)), readFileSync(path.join(DATASETS, 'brown-test.txt'), 'utf8'));
}

/** log-softmax of one row, f64 */
function logSoftmax(logits: Float32Array, off: number, vocab: number): Float64Array {
  let mx = -Infinity;
  for (let v = 0; v < vocab; v++) mx = Math.max(mx, logits[off + v]);
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[off + v] - mx);
  const lse = mx + Math.log(sum);
  return Float64Array.from({ length: vocab }, (_, v) => logits[off + v] - lse);
}

interface Scored {
  ppl: number;
  kld_mean: number | null;
}

/** ppl of `bytes` and KL(base ‖ it) over the same windows (stride = context: every token after a window's first is scored). */
async function score(bytes: Uint8Array, ids: number[], tokens: number, base?: Float32Array[]): Promise<{ scored: Scored; logits: Float32Array[] }> {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  const windows = slidingWindows({ tokens, context: CONTEXT, stride: CONTEXT });
  let nll = 0;
  let kl = 0;
  let n = 0;
  const kept: Float32Array[] = [];
  try {
    for (let k = 0; k < windows.length; k++) {
      const w = windows[k];
      const win = BigInt64Array.from(ids.slice(w.begin, w.end), (x) => BigInt(x));
      const len = win.length;
      const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', win, [1, len]) };
      if (s.inputNames.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(len).fill(1n), [1, len]);
      if (s.inputNames.includes('position_ids')) feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from({ length: len }, (_, i) => BigInt(i)), [1, len]);
      const t = (await s.run(feeds, ['logits'])).logits;
      const logits = t.data as Float32Array;
      const vocab = t.dims[t.dims.length - 1];
      if (!base) kept.push(logits);
      for (let p = 0; p + 1 < len; p++) {
        const lp = logSoftmax(logits, p * vocab, vocab);
        nll -= lp[ids[w.begin + p + 1]];
        if (base) {
          const lb = logSoftmax(base[k], p * vocab, vocab);
          for (let v = 0; v < vocab; v++) kl += Math.exp(lb[v]) * (lb[v] - lp[v]);
        }
        n++;
      }
    }
  } finally {
    await s.release();
  }
  return { scored: { ppl: Math.exp(nll / n), kld_mean: base ? kl / n : null }, logits: kept };
}

const law = (holds: boolean, values: Record<string, number>, rule: string): Law => ({ holds, values, rule });

/** The calibrated laws from each variant's perplexity (keys of methods()), each false one with its finding or bug (law-findings.ts). */
export function calibratedLawsOf(ppl: Record<string, number>, model: string): Record<string, Law> {
  const p = (k: string) => ppl[k];
  const b = p('baseline_calibrated_block');
  return explainLaws({
    wanda50_lt_magnitude50: law(p('wanda_50') < p('magnitude_50_vs_wanda'), { wanda_50: p('wanda_50'), magnitude_50_vs_wanda: p('magnitude_50_vs_wanda') }, 'ppl(Wanda 50 %) < ppl(magnitude 50 %)'),
    gptq4_lt_rtn4: law(p('gptq4_g128') < p('rtn4_g128'), { gptq4_g128: p('gptq4_g128'), rtn4_g128: p('rtn4_g128') }, 'ppl(GPTQ 4-bit g128) < ppl(RTN 4-bit g128)'),
    awq4_lt_rtn4: law(p('awq4_g128') < p('rtn4_g128'), { awq4_g128: p('awq4_g128'), rtn4_g128: p('rtn4_g128') }, 'ppl(AWQ 4-bit g128) < ppl(RTN 4-bit g128)'),
    gptq3_much_lt_rtn3: law(p('gptq3_g128') - b < 0.5 * (p('rtn3_g128') - b), { gptq3_g128: p('gptq3_g128'), rtn3_g128: p('rtn3_g128'), baseline: b }, 'Δppl(GPTQ 3-bit g128) < ½ Δppl(RTN 3-bit g128)'),
  }, model);
}

export interface CalibratedBenchOptions {
  tokens?: number;
  samples?: number;
  /** the demo LM the laws are measured on */
  model?: string;
  /** GPTQ on the 124 M shape in Chromium (bench-gptq-124m.ts): the dev server's port, and its calibration sequences; samples124m 0 skips it */
  port?: number;
  samples124m?: number;
}

export async function benchCalibrated(log: (s: string) => void, opts: CalibratedBenchOptions = {}) {
  const tokens = opts.tokens ?? 4096;
  const samples = opts.samples ?? 16;
  const modelName = opts.model ?? LAWS_MODEL;
  const model = loadDemo(modelName);
  const ids = Array.from(model.datasetIds.subarray(0, tokens));
  log(`calibrated: baseline on ${tokens} tokens`);
  const base = await score(model.baselineBytes, ids, tokens);
  const out: Record<string, { ppl: number; kld_mean: number | null; bits_per_weight: number; make_ms: number; tokens: number; storage: string; format: string; calibration_ms?: number }> = {
    baseline_calibrated_block: { ...base.scored, bits_per_weight: 32, make_ms: 0, tokens, storage: 'source', format: 'f32' },
  };
  let calibration: unknown = null;
  for (const [name, spec] of Object.entries(methods(samples))) {
    log(`calibrated: ${name}`);
    // every linear weight with the LM head, as docs/laws.md records the calibrated laws (the lab's default leaves the head f32)
    const v = await makeVariant(model, { ...spec, head: true }, 'cpu', new Job(name), { captureRunner: nodeCaptureRunner });
    const { scored } = await score(v.packedBytes, ids, tokens, base.logits);
    const c = v.summary.calibration;
    if (c) calibration = { model: modelName, dataset: c.dataset, sequences: c.sequences, context: c.context, first_token: c.firstToken, device: 'cpu (TS reference accumulation)', capture: 'onnxruntime-node CPU EP' };
    out[name] = {
      ppl: Number(scored.ppl.toFixed(4)),
      kld_mean: scored.kld_mean === null ? null : Number(scored.kld_mean.toFixed(6)),
      bits_per_weight: Number(v.summary.bitsPerWeight.toFixed(4)),
      make_ms: Math.round(v.summary.makeMs),
      tokens,
      storage: v.summary.storage,
      format: v.summary.format,
      ...(c ? { calibration_ms: Math.round(c.ms) } : {}),
    };
    log(`  ppl ${scored.ppl.toFixed(2)}  kld ${scored.kld_mean?.toFixed(4)}  ${v.summary.bitsPerWeight.toFixed(3)} bits/weight  ${(v.summary.makeMs / 1000).toFixed(1)} s  ${v.summary.storage}`);
  }
  const laws = calibratedLawsOf(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.ppl])), modelName);
  const notes = [
    `calibrated: laws and methods on ${modelName} (${samples} × 256 calibration tokens from the end of the built-in text, ${tokens} scored tokens from its start). Variants made in Node by workers/variants/make-variant.ts with the TS reference kernels (cpu device); calibration capture = the lab's capture model run by onnxruntime-node; ppl and kld_mean by onnxruntime-node on the packed models (3-bit: f32, simulated). docs/laws.md has every law on the three demo LMs.`,
  ];
  let big: Awaited<ReturnType<typeof benchGptq124m>> | { gptq_124m_s: null; peak_rss_over_idle_bytes: null } = { gptq_124m_s: null, peak_rss_over_idle_bytes: null };
  if (opts.samples124m !== 0) {
    try {
      big = await benchGptq124m({ port: opts.port ?? 5201, samples: opts.samples124m ?? GPTQ_124M_SAMPLES, log });
    } catch (e) {
      notes.push(`calibrated: GPTQ on the 124 M shape in Chromium failed: ${(e as Error).message.slice(0, 300)}`);
    }
  } else notes.push('calibrated: GPTQ on the 124 M shape in Chromium skipped (--skip-gptq-124m): calibration.gptq_124m_s and peak_rss_over_idle_bytes are null');
  return { laws, methods: out, calibration: { ...(calibration as object), ...big }, tokens, context: CONTEXT, notes };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, tokens: { type: 'string', default: '4096' }, samples: { type: 'string', default: '16' }, model: { type: 'string', default: LAWS_MODEL }, 'samples-124m': { type: 'string', default: String(GPTQ_124M_SAMPLES) }, port: { type: 'string', default: process.env.LAB_PORT ?? '5201' } } });
  benchCalibrated((s) => console.error(`[bench] ${s}`), { tokens: Number(values.tokens), samples: Number(values.samples), model: values.model, samples124m: Number(values['samples-124m']), port: Number(values.port) }).then((r) => {
    const text = JSON.stringify(r, null, 2) + '\n';
    if (values.out) writeFileSync(values.out, text);
    else process.stdout.write(text);
  });
}
