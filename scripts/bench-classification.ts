/**
 * The "classification" part of `npm run bench` (issue "Evaluation you can trust"): the demo
 * classifier (public/models/brown-bert-genre, BERT, 4 genres) on its 700 labelled examples
 * (public/datasets/brown-genre-test.jsonl), through the lab's worker API on the engine harness
 * page, WASM, batch 1:
 *   baseline      the source model (f32), with onnxruntime-node's accuracy on the same file and
 *                 examples beside it (scripts/classify-node.ts shares no code with the engine)
 *   int8_channel  INT8 per channel (int8 weights + DequantizeLinear)
 *   nf4           4-bit NormalFloat, blocks of 64
 *   int4_g32      INT4, groups of 32 (MatMulNBits)
 * Each variant reports accuracy and macro F1 (the keys) plus per-class F1, how it ran
 * (packed or its f32 twin) and its latency.
 */
import { execFileSync } from 'node:child_process';
import type { Browser } from '@playwright/test';
import { call as callHarness, harness } from './bench-variants';
import type { ClassificationResult, ModelSummary, VariantSpec, VariantSummary } from '../workers/api';

export const CLASSIFIER = 'brown-bert-genre';

/** The variants of the report, by their bench key. */
export const CLASSIFICATION_VARIANTS: Readonly<Record<string, VariantSpec | null>> = Object.freeze({
  baseline: null,
  int8_channel: { method: 'int8-channel', options: {} },
  nf4: { method: 'nf4', options: {} },
  int4_g32: { method: 'int4-group', options: { groupSize: 32 } },
});

const round = (x: number, d = 4) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);

/** onnxruntime-node's accuracy on the first `limit` examples (all when undefined). */
function nodeAccuracy(limit?: number): { examples: number; accuracy: number } {
  const out = execFileSync('npx', ['tsx', 'scripts/classify-node.ts', ...(limit ? ['--limit', String(limit)] : [])], { encoding: 'utf8', timeout: 300_000 });
  return JSON.parse(out.trim().split('\n').pop()!);
}

export async function benchClassification(o: { browser: Browser; base: string; log: (s: string) => void; examples?: number }): Promise<{ classification: Record<string, object>; notes: string[] }> {
  const page = await harness(o.browser, o.base, o.log);
  const classification: Record<string, object> = {};
  const notes: string[] = [];
  let baseAccuracy: number | undefined;
  try {
    const call = <T>(fn: string, ...args: unknown[]) => callHarness<T>(page, fn, ...args);
    const m = await call<ModelSummary>('loadDemo', CLASSIFIER);
    const settings = { backend: 'wasm' as const, ...(o.examples ? { examples: o.examples } : {}) };
    for (const [key, spec] of Object.entries(CLASSIFICATION_VARIANTS)) {
      o.log(`classification: ${key}`);
      try {
        const v = spec ? await call<VariantSummary>('makeVariant', m.id, spec, 'cpu') : undefined;
        const r = await call<ClassificationResult>('classify', m.id, v?.id ?? 'baseline', settings);
        if (!v) baseAccuracy = r.accuracy;
        classification[key] = {
          accuracy: round(r.accuracy),
          macro_f1: round(r.macroF1),
          macro_precision: round(r.macroPrecision),
          macro_recall: round(r.macroRecall),
          per_class_f1: Object.fromEntries(r.perClass.map((p) => [p.label, round(p.f1)])),
          examples: r.examples,
          form: r.form,
          ...(r.formReason ? { form_reason: r.formReason } : {}),
          ...(v ? { label: v.label, format: v.format, bits_per_weight: round(v.bitsPerWeight, 3), packed_bytes: v.packedBytes } : { packed_bytes: m.onnxBytes }),
          latency_ms: { median: round(r.latencyMs.median, 3), p90: round(r.latencyMs.p90, 3), first: round(r.latencyMs.firstMs, 1) },
          samples_per_s: round(r.samplesPerS, 1),
          backend: 'wasm',
        };
      } catch (e) {
        classification[key] = { error: (e as Error).message.slice(0, 300) };
      }
    }
    o.log('classification: onnxruntime-node reference (baseline)');
    const ref = nodeAccuracy(o.examples);
    const base = classification.baseline as { accuracy?: number; examples?: number } | undefined;
    if (base && baseAccuracy !== undefined) {
      Object.assign(base, { accuracy_ort_node: round(ref.accuracy), ort_node_examples: ref.examples, accuracy_diff_points: round((baseAccuracy - ref.accuracy) * 100, 3) });
    }
    notes.push(`classification: ${CLASSIFIER} on ${base?.examples ?? '?'} examples of brown-genre-test, LabApi.classify on WASM at batch 1 (variants made with the CPU kernels, run packed unless form says otherwise); the baseline's accuracy_ort_node is scripts/classify-node.ts (onnxruntime-node, its own tokenization) on the same file and examples.`);
  } finally {
    await page.close();
  }
  return { classification, notes };
}
