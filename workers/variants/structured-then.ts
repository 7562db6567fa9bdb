/**
 * Structured pruning, then quantization (VariantSpec.then on a structured-prune variant): the graph
 * is rewritten first (only the kept MLP neurons, structured.ts), and the second method quantizes
 * the linear weights of that smaller model, so its groups run along the new, shorter inputs (a down
 * layer's rows are the kept neurons) and the packed model is both smaller in shape and in bits.
 * Stats are against the rewritten f32 weights; a weight's bits per weight are counted against the
 * base model's weight count (the second method's bits × the share of its neurons kept), so the
 * variant's total is comparable with every other variant of the model.
 * A calibrated second method (GPTQ, AWQ, Wanda, SparseGPT) calibrates on the rewritten model:
 * calibrationFor (calibration/for-variant.ts) runs the calibration text through the smaller graph
 * (structuredModel below), so each layer's statistics are of the inputs it has after the pruning
 * (a down layer's Hessian is kept neurons × kept neurons). The second method may also prune (Wanda,
 * SparseGPT, magnitude: unstructured or N:M on the smaller weights), not prune structurally again.
 */
import type { KernelDevice, LinearWeight, TensorStats, VariantSpec, VariantStorage } from '../api';
import { METAS_BY_ID } from '../compression/metas';
import type { NeuronPlan, StructuredPruneOptions } from '../compression/structured-prune/meta';
import type { CalibrationSource } from '../calibration/calibrate';
import type { LoadedModel } from '../model/load';
import { formLabel, packedFormOf } from '../formats/form-of';
import { writePackedModel, type PackedForm } from '../formats/packed-model';
import { labError } from '../errors';
import type { Job } from '../jobs';
import { parseModel, readF32, writeVariant, type ParsedModel } from '../model/onnx-graph';
import { storageOfForm } from './combine';
import { compressWeight } from './compress-adapter';
import { planStructured, structuredBits, structuredFormat, writeStructuredModel, type StructuredPlan } from './structured';

export interface StructuredThen {
  packedBytes: Uint8Array;
  simulatedBytes?: Uint8Array;
  removedParams: number;
  tensors: TensorStats[];
  storages: Set<VariantStorage>;
  format: string;
  kernelMs: number;
}

/** Refuses structured pruning twice in one variant, naming why. */
export function checkStructuredThen(then: VariantSpec): void {
  if (then.method === 'structured-prune') {
    throw labError('BadOption', 'structured-prune then structured-prune: one structured pruning per variant (prune neurons or heads, then quantize or prune unstructured)');
  }
}

/**
 * The model after structured pruning as the calibration sees it: the rewritten graph, its linear
 * weights with their new shapes (names unchanged), everything else (tokens, text, summary) the
 * source's. Deterministic: the same plan as the variant's own (planStructured on the same weights).
 */
export async function structuredModel(model: LoadedModel, spec: VariantSpec, device: KernelDevice): Promise<LoadedModel> {
  const plan = await planStructured(model.parsed, model.linear, spec.options as StructuredPruneOptions, device, spec.blocks);
  const { parsed } = rewriteStructured(model.parsed, plan);
  const linear = model.linear.map((w) => {
    const info = parsed.tensors.get(w.name)!;
    return { ...w, shape: [info.dims[0], info.dims[1]] as [number, number], params: info.params };
  });
  return { ...model, parsed, linear };
}

/** What a rewrite depends on besides its source: every kept mask (MLP neurons, heads, each weight's channels). */
function planKey(plan: StructuredPlan): string {
  const bits = (k: Uint8Array) => Array.from(k).join('');
  return JSON.stringify([plan.keep.map(bits), plan.heads?.keep.map(bits) ?? null, [...plan.plans].map(([name, p]) => [name, p.axis, bits(p.keep)])]);
}

let lastRewrite: { source: WeakRef<ParsedModel>; key: string; parsed: WeakRef<ParsedModel>; removedParams: number } | undefined;

/**
 * The rewritten graph, parsed, written once per source and plan: a calibrated second method's
 * statistics (structuredModel, from calibrationFor) and the variant itself (makeStructuredThen) ask
 * for the same graph one after the other, and writing and parsing it again cost a second copy of
 * the model's bytes (issue 9). Equal plans give the same object. Held weakly: the calibration source
 * keeps it alive while it is used; nothing here keeps a model-sized buffer alive after.
 */
export function rewriteStructured(source: ParsedModel, plan: StructuredPlan): { parsed: ParsedModel; removedParams: number } {
  const key = planKey(plan);
  const parsed = lastRewrite?.source.deref() === source && lastRewrite.key === key ? lastRewrite.parsed.deref() : undefined;
  if (parsed) return { parsed, removedParams: lastRewrite!.removedParams };
  const rewritten = writeStructuredModel(source, plan);
  const fresh = parseModel(rewritten.bytes);
  lastRewrite = { source: new WeakRef(source), key, parsed: new WeakRef(fresh), removedParams: rewritten.removedParams };
  return { parsed: fresh, removedParams: rewritten.removedParams };
}

/**
 * `weights` of the source model, `only` (VariantSpec.blocks) the weights to quantize; the others
 * stay f32 in the rewritten model. `calibration`: a calibrated second method's statistics, taken on
 * the rewritten model (calibrationFor).
 */
export async function makeStructuredThen(
  source: ParsedModel, weights: readonly LinearWeight[], plan: StructuredPlan, then: VariantSpec, device: KernelDevice, job: Job,
  only: (w: LinearWeight) => boolean, simulated: boolean, calibration?: CalibrationSource,
): Promise<StructuredThen> {
  checkStructuredThen(then);
  const { parsed: m, removedParams } = rewriteStructured(source, plan);
  const forms = new Map<string, PackedForm>();
  const dequantized = new Map<string, Float32Array>();
  const formats = new Set<string>();
  const storages = new Set<VariantStorage>();
  const tensors: TensorStats[] = [];
  const smaller: LinearWeight[] = [];
  let kernelMs = 0;
  job.progress('compress', 0, weights.length);
  for (let i = 0; i < weights.length; i++) {
    await job.checkpoint();
    const info = m.tensors.get(weights[i].name)!;
    const w: LinearWeight = { ...weights[i], shape: [info.dims[0], info.dims[1]], params: info.params };
    smaller.push(w);
    const neuronPlan = plan.plans.get(w.name) as NeuronPlan | undefined;
    const kept = structuredBits(neuronPlan) / 32;
    if (!only(weights[i])) {
      tensors.push({ name: w.name, params: weights[i].params, sparsity: 0, relFrobeniusError: 0, sqnrDb: Infinity, maxAbsError: 0, bitsPerWeight: 32 * kept });
      continue;
    }
    const data = readF32(info).slice();
    if (METAS_BY_ID[then.method]?.calibration && !calibration) throw labError('BadOption', `structured-prune then ${then.method}: no calibration statistics of the rewritten model were given`);
    const stats = await calibration?.statsFor(w.name);
    const r = await compressWeight(then.method, then.options, { name: w.name, data, shape: w.shape, layout: w.layout, calibration: stats }, device);
    const form = packedFormOf(then.method, r.options, r, w);
    forms.set(w.name, form);
    formats.add(formLabel(form));
    storages.add(storageOfForm(form));
    if (simulated) dequantized.set(w.name, r.dequantized);
    tensors.push({ ...r.stats, name: w.name, params: weights[i].params, bitsPerWeight: r.stats.bitsPerWeight * kept, ...(r.clamped !== undefined ? { clamped: r.clamped } : {}) });
    kernelMs += r.kernelMs;
    job.progress('compress', i + 1, weights.length, w.name);
  }
  const packedBytes = writePackedModel(m, smaller, forms);
  return {
    packedBytes,
    ...(simulated ? { simulatedBytes: writeVariant(m, dequantized) } : {}),
    removedParams,
    tensors,
    storages,
    format: `${structuredFormat(plan).replace(/^f32, /, '')}; ${[...formats].join('; ')}`,
    kernelMs,
  };
}
