/**
 * The calibrated-methods part of `npm run bench` (issue 9): the lab's own variants of the demo LM,
 * made in Node by the engine's makeVariant with the TS reference kernels (the cpu kernel device),
 * calibration captured by onnxruntime-node on the last SAMPLES × 256 tokens of the built-in text,
 * every packed model scored by onnxruntime-node on the first `tokens` tokens at context 256,
 * stride 256 (so calibration and evaluation tokens do not overlap). Per method: ppl, kld_mean
 * (KL(base ‖ variant) per scored token, nats, same windows), bits_per_weight (from the packed
 * layout, scales and zero points included) and make_ms (makeVariant wall time, calibration
 * included when this entry calibrated; a statistic kept from an earlier variant of the same kind is
 * not computed again: such an entry says calibration_reused: true and calibration_from, and its
 * `how` says what to add to compare). Laws: {"holds", "values", "rule"} each, and a false one its
 * "finding" or "bug" (law-findings.ts).
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
import { explainLaws, METHOD_FINDINGS, type Law } from './law-findings';
import { NOISE_SE, pairedGap, pplOfNll } from './paired-gap';

const CONTEXT = 256;

/**
 * In this order each calibration is computed once and kept for the variants after it that need the
 * same statistic (one kept at a time: Wanda's norms, then GPTQ's Hessian, then the structured
 * model's): calibrationHow says which entries reused one.
 */
function methods(samples: number): Record<string, VariantSpec> {
  return {
    // not 'magnitude_50': bench-methods.ts has that key on fewer tokens
    magnitude_50_vs_wanda: { method: 'magnitude-prune', options: { ratio: 0.5 } },
    wanda_50: { method: 'wanda', options: { ratio: 0.5, samples } },
    wanda_2of4: { method: 'wanda', options: { pattern: '2:4', samples } },
    wanda_4of8: { method: 'wanda', options: { pattern: '4:8', samples } },
    rtn4_g128: { method: 'int4-group', options: { groupSize: 128 } },
    gptq4_g128: { method: 'gptq', options: { bits: 4, groupSize: 128, samples } },
    rtn3_g128: { method: 'rtn', options: { bits: 3, groupSize: 128, symmetric: false } as VariantSpec['options'] },
    gptq3_g128: { method: 'gptq', options: { bits: 3, groupSize: 128, samples } },
    awq4_g128: { method: 'awq', options: { bits: 4, groupSize: 128, samples } },
    awq3_g128: { method: 'awq', options: { bits: 3, groupSize: 128, samples } },
    rtn2_g128: { method: 'rtn', options: { bits: 2, groupSize: 128, symmetric: false } as VariantSpec['options'] },
    gptq2_g128: { method: 'gptq', options: { bits: 2, groupSize: 128, samples } },
    sparsegpt_50: { method: 'sparsegpt', options: { ratio: 0.5, samples } },
    sparsegpt_2of4: { method: 'sparsegpt', options: { pattern: '2:4', samples } },
    // prune → quantize with the mask kept: GPTQ on the pruned model beside RTN on the same grid
    magnitude_50_then_rtn4_g128: { method: 'magnitude-prune', options: { ratio: 0.5 }, then: { method: 'int4-group', options: { groupSize: 128 } } },
    magnitude_50_then_gptq4_g128: { method: 'magnitude-prune', options: { ratio: 0.5 }, then: { method: 'gptq', options: { bits: 4, groupSize: 128, samples } } },
    // structured pruning, then a method calibrated on the rewritten (smaller) model
    structured_25_then_rtn4_g128: { method: 'structured-prune', options: { ratio: 0.25 }, then: { method: 'int4-group', options: { groupSize: 128 } } },
    structured_25_then_gptq4_g128: { method: 'structured-prune', options: { ratio: 0.25 }, then: { method: 'gptq', options: { bits: 4, groupSize: 128, samples } } },
  };
}

/** One methods entry: issue 9's four figures, what was scored, and how make_ms was timed. */
export interface CalibratedPoint {
  ppl: number;
  kld_mean: number | null;
  bits_per_weight: number;
  make_ms: number;
  tokens: number;
  storage: string;
  format: string;
  /** calibrated methods: the calibration's wall time inside make_ms (0 when reused) */
  calibration_ms?: number;
  /** METHOD_PAIRS: this entry against the one it is compared with, as an "A < B" law's values (paired gap in SE) */
  vs?: Record<string, number>;
  /** METHOD_PAIRS: on a tie, the recorded finding (law-findings.ts METHOD_FINDINGS) or 'bug' until one is */
  finding?: string;
  bug?: string;
  /** true: the statistics were kept from `calibration_from` (same statistic, sequences, model), so make_ms holds no calibration */
  calibration_reused?: boolean;
  calibration_from?: string;
  how: string;
}

const SCORED = (tokens: number) => `ppl and kld_mean by onnxruntime-node (CPU EP) on the packed model, ${tokens} tokens of brown-test from its start, context ${CONTEXT}, stride ${CONTEXT}`;

/**
 * How an entry's make_ms was timed. makeVariant keeps a calibration that fits one pass for the next
 * variant with the same statistic, sequences and model (workers/calibration/for-variant.ts), and a
 * kept source spends exactly 0 ms for the new job (it runs no pass): calibration_ms === 0 is reuse.
 * `fresh` is the last entry that did calibrate, with its calibration_ms.
 */
export function calibrationHow(calibrationMs: number | undefined, fresh: { name: string; ms: number } | undefined): Pick<CalibratedPoint, 'calibration_ms' | 'calibration_reused' | 'calibration_from'> & { how: string } {
  const made = 'makeVariant in Node (cpu kernel device: TS reference kernels), every linear weight with the LM head; make_ms = its wall time';
  if (calibrationMs === undefined) return { how: `${made}; no calibration` };
  if (calibrationMs > 0) return { calibration_ms: Math.round(calibrationMs), calibration_reused: false, how: `${made}, calibration included (calibration_ms, computed for this entry: capture by onnxruntime-node, statistics accumulated in TS)` };
  const from = fresh?.name ?? 'an earlier variant';
  return {
    calibration_ms: 0,
    calibration_reused: true,
    ...(fresh ? { calibration_from: fresh.name } : {}),
    how: `${made}, without calibration: the statistics were reused from ${from} (same statistic, sequences and model); add its calibration_ms${fresh ? ` (${fresh.ms})` : ''} to compare with an entry that calibrated`,
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

/** log Σ exp of one row of logits, f64 */
function logSumExp(logits: Float32Array, off: number, vocab: number): number {
  let mx = -Infinity;
  for (let v = 0; v < vocab; v++) mx = Math.max(mx, logits[off + v]);
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[off + v] - mx);
  return mx + Math.log(sum);
}

interface Scored {
  ppl: number;
  kld_mean: number | null;
  /** each window's per-token NLL, nats: the laws' paired noise (paired-gap.ts) */
  nll: Float64Array[];
}

/** The baseline's logits and each row's log Σ exp (computed once, not again for every variant's KL). */
interface Base {
  logits: Float32Array[];
  lse: Float64Array[];
}

/**
 * ppl of `bytes` and KL(base ‖ it) over the same windows (stride = context: every token after a
 * window's first is scored). The log-softmax values are formed in the loops (logit − row's log Σ
 * exp, f64), not as arrays per row, and the baseline's log Σ exp is kept: the same arithmetic as
 * before, one exp pass fewer per token and no allocation (the scoring is most of the block's time).
 */
async function score(bytes: Uint8Array, ids: number[], tokens: number, base?: Base): Promise<{ scored: Scored; base: Base }> {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  const windows = slidingWindows({ tokens, context: CONTEXT, stride: CONTEXT });
  let nll = 0;
  let kl = 0;
  let n = 0;
  const kept: Base = { logits: [], lse: [] };
  const tokenNll: Float64Array[] = [];
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
      const lses = new Float64Array(len - 1);
      const own = new Float64Array(len - 1);
      tokenNll.push(own);
      for (let p = 0; p + 1 < len; p++) {
        const off = p * vocab;
        const lse = (lses[p] = logSumExp(logits, off, vocab));
        own[p] = -(logits[off + ids[w.begin + p + 1]] - lse);
        nll += own[p];
        if (base) {
          const b = base.logits[k];
          const lseB = base.lse[k][p];
          for (let v = 0; v < vocab; v++) {
            const lb = b[off + v] - lseB;
            kl += Math.exp(lb) * (lb - (logits[off + v] - lse));
          }
        }
        n++;
      }
      if (!base) {
        kept.logits.push(logits);
        kept.lse.push(lses);
      }
    }
  } finally {
    await s.release();
  }
  return { scored: { ppl: Math.exp(nll / n), kld_mean: base ? kl / n : null, nll: tokenNll }, base: kept };
}

const law = (holds: boolean, values: Record<string, number>, rule: string): Law => ({ holds, values, rule });
const round = (x: number, d: number) => Number(x.toFixed(d));

/**
 * "ppl(a) < ppl(b)" against the evaluation's noise: holds only when b's mean NLL on the same tokens
 * is above a's by more than NOISE_SE paired standard errors (paired-gap.ts); the values give the
 * gap and the SE in % of the perplexity and the margin in SEs. A bare `<` called AWQ-4 at 191.0125
 * below RTN-4 at 191.0352 (0.012 %, 0.05 SE) a law that holds.
 */
function lowerLaw(nll: Record<string, Float64Array[]>, a: string, b: string, rule: string): Law {
  const g = pairedGap(nll[a], nll[b]);
  const se = Math.max(g.se_window, g.se_token);
  const pct = (x: number) => round((Math.exp(x) - 1) * 100, 3);
  return law(
    g.margin_se > NOISE_SE,
    { [a]: round(pplOfNll(nll[a]), 4), [b]: round(pplOfNll(nll[b]), 4), gap_pct: pct(g.gap_nll), se_pct: pct(se), margin_se: round(g.margin_se, 2), windows: g.windows, tokens: g.tokens },
    `${rule}, by more than ${NOISE_SE} paired standard errors of the mean NLL difference on the same tokens (the larger of its SE over windows and over tokens)`,
  );
}

/** Entries expected below another beyond the noise though not one of issue 9's laws: [a, b] reads "ppl(a) < ppl(b)". */
const METHOD_PAIRS = Object.freeze([['magnitude_50_then_gptq4_g128', 'magnitude_50_then_rtn4_g128']] as const);

/** The calibrated laws from each variant's per-window token NLL (keys of methods()), each false one with its finding or bug (law-findings.ts). */
export function calibratedLawsOf(nll: Record<string, Float64Array[]>, model: string): Record<string, Law> {
  const p = (k: string) => round(pplOfNll(nll[k]), 4);
  const b = p('baseline_calibrated_block');
  return explainLaws({
    wanda50_lt_magnitude50: lowerLaw(nll, 'wanda_50', 'magnitude_50_vs_wanda', 'ppl(Wanda 50 %) < ppl(magnitude 50 %)'),
    gptq4_lt_rtn4: lowerLaw(nll, 'gptq4_g128', 'rtn4_g128', 'ppl(GPTQ 4-bit g128) < ppl(RTN 4-bit g128)'),
    awq4_lt_rtn4: lowerLaw(nll, 'awq4_g128', 'rtn4_g128', 'ppl(AWQ 4-bit g128) < ppl(RTN 4-bit g128)'),
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
  const nll: Record<string, Float64Array[]> = { baseline_calibrated_block: base.scored.nll };
  const out: Record<string, CalibratedPoint> = {
    baseline_calibrated_block: { ppl: base.scored.ppl, kld_mean: null, bits_per_weight: 32, make_ms: 0, tokens, storage: 'source', format: 'f32', how: `the source f32 model, not made; ${SCORED(tokens)}` },
  };
  let calibration: unknown = null;
  let fresh: { name: string; ms: number } | undefined;
  const started = performance.now();
  for (const [name, spec] of Object.entries(methods(samples))) {
    log(`calibrated: ${name}`);
    // every linear weight with the LM head, as docs/laws.md records the calibrated laws (the lab's default leaves the head f32)
    const v = await makeVariant(model, { ...spec, head: true }, 'cpu', new Job(name), { captureRunner: nodeCaptureRunner });
    const { scored } = await score(v.packedBytes, ids, tokens, base.base);
    nll[name] = scored.nll;
    const c = v.summary.calibration;
    if (c) calibration = { model: modelName, dataset: c.dataset, sequences: c.sequences, context: c.context, first_token: c.firstToken, device: 'cpu (TS reference accumulation)', capture: 'onnxruntime-node CPU EP' };
    const timing = calibrationHow(c?.ms, fresh);
    if (timing.calibration_reused === false) fresh = { name, ms: timing.calibration_ms! };
    out[name] = {
      ppl: Number(scored.ppl.toFixed(4)),
      kld_mean: scored.kld_mean === null ? null : Number(scored.kld_mean.toFixed(6)),
      bits_per_weight: Number(v.summary.bitsPerWeight.toFixed(4)),
      make_ms: Math.round(v.summary.makeMs),
      tokens,
      storage: v.summary.storage,
      format: v.summary.format,
      ...timing,
      how: `${timing.how}; ${SCORED(tokens)}`,
    };
    log(`  ppl ${scored.ppl.toFixed(2)}  kld ${scored.kld_mean?.toFixed(4)}  ${v.summary.bitsPerWeight.toFixed(3)} bits/weight  ${(v.summary.makeMs / 1000).toFixed(1)} s${timing.calibration_reused ? ` (calibration reused from ${timing.calibration_from})` : ''}  ${v.summary.storage}`);
  }
  log(`calibrated: ${Object.keys(out).length - 1} variants made and scored in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const laws = calibratedLawsOf(nll, modelName);
  for (const [a, b] of METHOD_PAIRS) {
    const { holds, values } = lowerLaw(nll, a, b, '');
    const why = holds ? {} : METHOD_FINDINGS[a]?.[modelName] ? { finding: METHOD_FINDINGS[a][modelName] } : { bug: `ties ${b} on ${modelName} and no finding is recorded for it (docs/laws.md)` };
    out[a] = { ...out[a], vs: values, ...why };
  }
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
