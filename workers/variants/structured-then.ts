/**
 * Structured pruning, then quantization (VariantSpec.then on a structured-prune variant): the graph
 * is rewritten first (only the kept MLP neurons, structured.ts), and the second method quantizes
 * the linear weights of that smaller model, so its groups run along the new, shorter inputs (a down
 * layer's rows are the kept neurons) and the packed model is both smaller in shape and in bits.
 * Stats are against the rewritten f32 weights; a weight's bits per weight are counted against the
 * base model's weight count (the second method's bits × the share of its neurons kept), so the
 * variant's total is comparable with every other variant of the model.
 * The second method may not be a calibrated one: its statistics would have to come from the
 * rewritten model, which the calibration (run on the source model) does not capture.
 */
import type { KernelDevice, LinearWeight, TensorStats, VariantSpec, VariantStorage } from '../api';
import { METAS_BY_ID } from '../compression/metas';
import type { NeuronPlan } from '../compression/structured-prune/meta';
import { formLabel, packedFormOf } from '../formats/form-of';
import { writePackedModel, type PackedForm } from '../formats/packed-model';
import { labError } from '../errors';
import type { Job } from '../jobs';
import { parseModel, readF32, writeVariant, type ParsedModel } from '../model/onnx-graph';
import { storageOfForm } from './combine';
import { compressWeight } from './compress-adapter';
import { structuredBits, structuredFormat, writeStructuredModel, type StructuredPlan } from './structured';

export interface StructuredThen {
  packedBytes: Uint8Array;
  simulatedBytes?: Uint8Array;
  removedParams: number;
  tensors: TensorStats[];
  storages: Set<VariantStorage>;
  format: string;
  kernelMs: number;
}

/** Refuses a second method that needs calibration, naming why. */
export function checkStructuredThen(then: VariantSpec): void {
  if (METAS_BY_ID[then.method]?.calibration) {
    throw labError('BadOption', `structured-prune then ${then.method}: a calibrated method would need the rewritten model's own layer inputs; use a round-to-nearest quantizer (rtn, int4-group, int8-channel, nf4, fp16) after structured pruning`);
  }
}

/**
 * `weights` of the source model, `only` (VariantSpec.blocks) the weights to quantize; the others
 * stay f32 in the rewritten model.
 */
export async function makeStructuredThen(
  source: ParsedModel, weights: readonly LinearWeight[], plan: StructuredPlan, then: VariantSpec, device: KernelDevice, job: Job,
  only: (w: LinearWeight) => boolean, simulated: boolean,
): Promise<StructuredThen> {
  checkStructuredThen(then);
  const rewritten = writeStructuredModel(source, plan);
  const m = parseModel(rewritten.bytes);
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
    const r = await compressWeight(then.method, then.options, { name: w.name, data, shape: w.shape, layout: w.layout }, device);
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
    removedParams: rewritten.removedParams,
    tensors,
    storages,
    format: `${structuredFormat(plan).replace(/^f32, /, '')}; ${[...formats].join('; ')}`,
    kernelMs,
  };
}
