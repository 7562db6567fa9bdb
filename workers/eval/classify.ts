/**
 * A sequence classifier on its labelled examples, one backend, batch 1: accuracy, macro
 * precision / recall / F1, per-class F1 and the confusion matrix, with the latency of every
 * example (the first run apart: it holds session warm-up and, on WebGPU, shader compilation).
 * Progress per example with an ETA; cancellation checked between examples.
 */
import type { ClassificationResult, ClassifySettings } from '../api';
import { labError } from '../errors';
import type { Job } from '../jobs';
import type { LabelledExample } from '../model/classifier';
import { prefillFeeds, type InputInfo } from '../model/graph-kind';
import { getSession, runFeeds } from './ort-runtime';
import { quantile } from './speed';

export type ClassifyMeasured = Pick<ClassificationResult, 'examples' | 'accuracy' | 'macroPrecision' | 'macroRecall' | 'macroF1' | 'perClass' | 'confusion' | 'latencyMs' | 'samplesPerS'>;

/** The report from true and predicted class indices. */
export function classificationReport(truth: readonly number[], predicted: readonly number[], labels: readonly string[]): Pick<ClassifyMeasured, 'accuracy' | 'macroPrecision' | 'macroRecall' | 'macroF1' | 'perClass' | 'confusion'> {
  const k = labels.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  truth.forEach((t, i) => confusion[t][predicted[i]]++);
  const perClass = labels.map((label, c) => {
    const tp = confusion[c][c];
    const predictedC = confusion.reduce((a, row) => a + row[c], 0);
    const support = confusion[c].reduce((a, b) => a + b, 0);
    const precision = predictedC ? tp / predictedC : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  const mean = (f: (x: (typeof perClass)[number]) => number) => perClass.reduce((a, x) => a + f(x), 0) / k;
  const correct = truth.reduce((a, t, i) => a + (t === predicted[i] ? 1 : 0), 0);
  return { accuracy: correct / truth.length, macroPrecision: mean((x) => x.precision), macroRecall: mean((x) => x.recall), macroF1: mean((x) => x.f1), perClass, confusion };
}

export async function classifyTarget(
  t: { key: string; getBytes: () => Uint8Array; examples: readonly LabelledExample[]; labels: readonly string[] },
  s: ClassifySettings,
  job: Job,
): Promise<ClassifyMeasured> {
  if (s.backend !== 'webgpu' && s.backend !== 'wasm') throw labError('BadOption', `backend must be one of webgpu, wasm; got "${s.backend}"`);
  const n = s.examples ?? t.examples.length;
  if (!Number.isInteger(n) || n < 1 || n > t.examples.length) throw labError('BadOption', `examples must be an integer in [1, ${t.examples.length}], got ${s.examples}`);
  job.progress('session', 0, 1, `starting ${s.backend} session`);
  const h = await getSession(t.key, s.backend, t.getBytes);
  job.progress('session', 1, 1);
  const truth: number[] = [];
  const predicted: number[] = [];
  const ms: number[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    await job.checkpoint();
    const ex = t.examples[i];
    const feeds = prefillFeeds(BigInt64Array.from(ex.ids, (x) => BigInt(x)), h.session.inputMetadata as readonly InputInfo[], (type, data, dims) => new h.ort.Tensor(type as 'float32', data as Float32Array, dims));
    const { out, ms: took } = await runFeeds(h, feeds, ['logits']);
    const logits = out.logits.data as Float32Array;
    if (logits.length !== t.labels.length) throw labError('NotLanguageModel', `the classifier gave ${logits.length} logits for ${t.labels.length} labels`);
    let best = 0;
    for (let c = 1; c < logits.length; c++) if (logits[c] > logits[best]) best = c;
    truth.push(ex.label);
    predicted.push(best);
    ms.push(took);
    job.progress('classify', i + 1, n);
  }
  const wall = performance.now() - start;
  const timed = ms.slice(1).sort((a, b) => a - b);
  return {
    examples: n,
    ...classificationReport(truth, predicted, t.labels),
    latencyMs: { median: quantile(timed, 0.5), p90: quantile(timed, 0.9), firstMs: ms[0] },
    samplesPerS: n / (wall / 1000),
  };
}
