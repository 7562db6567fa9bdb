/**
 * AWQ-4 < RTN-4 (issue 9's law) on a demo LM, measured so that its margin can be set against the
 * evaluation's noise. In Node with the lab's own variants (makeVariant, TS reference kernels, cpu
 * device), calibration = the last S × 256 tokens of the built-in text, scoring = its first 4,096
 * tokens at context 256, stride 256 (onnxruntime-node on the packed models), for each S and with
 * the LM head left f32 (the lab's default) or opted in:
 *   ppl of RTN-4 g128 (int4-group) and AWQ-4 g128, and the paired difference of their mean NLL:
 *   its standard error over the 16 windows (tokens inside a window are correlated, windows much
 *   less) and over tokens; then the α AWQ chose for each layer (awqReference on the same Hessians).
 * --dump DIR writes every layer's (or --layer NAME's) weight, Hessian and column |x| sums on the
 * calibration tokens, Hessian on the scored tokens (f32, little-endian) and the lab's α, for tools/awq_check.py: an
 * independent numpy search, and each layer's output error on both token sets.
 *
 *   npx tsx --import ./scripts/raw-import.mjs scripts/awq-evidence.ts [--model brown-gpt2-tiny] [--samples 8,32,128] [--head both|f32|in] [--dump DIR [--layer NAME] [--dump-only]]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { VariantSpec } from '../workers/api';
import { calibrationSource } from '../workers/calibration/calibrate';
import { awqMeta } from '../workers/compression/awq/meta';
import { awqReference } from '../workers/compression/awq/reference';
import { Job } from '../workers/jobs';
import type { LoadedModel } from '../workers/model/load';
import { readF32 } from '../workers/model/onnx-graph';
import { makeVariant } from '../workers/variants/make-variant';
import { nodeCaptureRunner } from '../tests/capture-runner-node';
import { loadDemoLm } from '../tests/local-models';
import { windowNlls } from './evidence-scores';

const TOKENS = 4096;
const CONTEXT = 256;
const { values: a } = parseArgs({ options: { model: { type: 'string', default: 'brown-gpt2-tiny' }, samples: { type: 'string', default: '8,32,128' }, head: { type: 'string', default: 'both' }, dump: { type: 'string' }, layer: { type: 'string' }, 'dump-only': { type: 'boolean' } } });
const log = (s: string) => console.error(`[awq] ${s}`);

/** Per window, the NLL of each scored token, in order. */
const nllsOf = (model: LoadedModel, bytes: Uint8Array) => windowNlls(bytes, model.datasetIds, TOKENS, CONTEXT);

const mean = (x: ArrayLike<number>) => Array.from(x).reduce((p, v) => p + v, 0) / x.length;
const se = (x: number[]) => {
  const m = mean(x);
  return Math.sqrt(x.reduce((p, v) => p + (v - m) ** 2, 0) / (x.length - 1) / x.length);
};

/** ppl of each, and the paired difference of mean NLL (b − a) with its SE by window and by token. */
function paired(a: Float64Array[], b: Float64Array[]) {
  const flat = (x: Float64Array[]) => x.flatMap((w) => Array.from(w));
  const [fa, fb] = [flat(a), flat(b)];
  const d = fb.map((v, i) => v - fa[i]);
  // each window's share of the mean difference, times the window count: their mean is the difference
  const byWindow = a.map((w, k) => (w.length * a.length * (mean(b[k]) - mean(w))) / fa.length);
  return { pplA: Math.exp(mean(fa)), pplB: Math.exp(mean(fb)), dNll: mean(d), seWindow: se(byWindow), seToken: se(d), windowsBWorse: byWindow.filter((v) => v > 0).length, windows: a.length };
}

async function main() {
  const model = loadDemoLm(a.model);
  const heads = a.head === 'both' ? [false, true] : [a.head === 'in'];
  const rows: Record<string, unknown>[] = [];
  for (const head of heads) {
    const rtn: VariantSpec = { method: 'int4-group', options: { groupSize: 128 }, head };
    const only = a['dump-only'];
    const rn = only ? [] : await nllsOf(model, (await makeVariant(model, rtn, 'cpu', new Job('rtn4'), { captureRunner: nodeCaptureRunner })).packedBytes);
    for (const samples of a.samples.split(',').map(Number)) {
      const awq: VariantSpec = { method: 'awq', options: { bits: 4, groupSize: 128, samples }, head };
      const p = only ? undefined : paired(rn, await nllsOf(model, (await makeVariant(model, awq, 'cpu', new Job('awq4'), { captureRunner: nodeCaptureRunner })).packedBytes));
      // the α of each layer, from the same calibration (the Hessian awq reads) and the reference search
      const weights = model.linear.filter((w) => head || w.name !== model.summary.lmHead);
      const src = calibrationSource(model, weights, new Job('awq-alpha'), { need: 'hessian', sequences: samples, runner: nodeCaptureRunner });
      const alphas: Record<string, number> = {};
      // the scored tokens as a 'text' of 16 sequences: calibrationSlice takes all of it
      const held = a.dump ? calibrationSource(model, weights, new Job('awq-held-out'), { need: 'hessian', sequences: TOKENS / CONTEXT, runner: nodeCaptureRunner, text: { name: 'scored tokens', ids: model.datasetIds.subarray(0, TOKENS) } }) : undefined;
      for (const w of weights) {
        const calibration = await src.statsFor(w.name);
        const t = { name: w.name, data: readF32(model.parsed.tensors.get(w.name)!).slice(), shape: w.shape, layout: w.layout, calibration };
        alphas[w.name] = awqReference(t, awqMeta.resolveOptions({ bits: 4, groupSize: 128, samples })).alpha;
        if (a.dump && (!a.layer || w.name === a.layer)) {
          mkdirSync(a.dump, { recursive: true });
          const stem = join(a.dump, `S${samples}.${w.name}`);
          writeFileSync(`${stem}.w.f32`, t.data);
          writeFileSync(`${stem}.h.f32`, calibration.hessian!);
          writeFileSync(`${stem}.abs.f32`, calibration.colAbsSums!);
          // the same layer's Hessian on the scored tokens (the first 4,096), for its held-out error
          writeFileSync(`${stem}.eval-h.f32`, (await held!.statsFor(w.name)).hessian!);
          writeFileSync(`${stem}.json`, JSON.stringify({ layer: w.name, shape: w.shape, layout: w.layout, rows: calibration.rows, samples, head, alpha: alphas[w.name] }));
        }
      }
      if (!p) {
        log(`head ${head ? 'compressed' : 'f32'} S ${samples}: dumped`);
        continue;
      }
      const row = { model: a.model, head: head ? 'compressed' : 'f32', samples, rtn4: p.pplA, awq4: p.pplB, awq_over_rtn: p.pplB / p.pplA, d_nll: p.dNll, se_window: p.seWindow, se_token: p.seToken, z_window: p.dNll / p.seWindow, windows_awq_worse: `${p.windowsBWorse}/${p.windows}`, alphas };
      rows.push(row);
      log(`head ${row.head} S ${samples}: RTN-4 ${p.pplA.toFixed(3)} AWQ-4 ${p.pplB.toFixed(3)} (x${row.awq_over_rtn.toFixed(4)}); dNLL ${p.dNll.toExponential(3)} SE window ${p.seWindow.toExponential(2)} token ${p.seToken.toExponential(2)}; AWQ worse in ${row.windows_awq_worse} windows`);
      log(`  alphas ${Object.values(alphas).join(' ')}`);
    }
  }
  process.stdout.write(JSON.stringify(rows, null, 1) + '\n');
}

main();
