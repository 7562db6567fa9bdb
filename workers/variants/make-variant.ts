/**
 * A variant = the base model with every linear weight compressed by one method. Each weight
 * goes through the kernels (compress-adapter.ts) one at a time; we keep its stats and its
 * dequantized f32 values, then write the evaluation model (those values as initializers).
 *
 * Shared weights (also read by a non-linear node, e.g. an embedding tied to the LM head) are
 * compressed too: they are real weights, and a packed export stores them once, so the Gather
 * then reads the same compressed values as the MatMul/Gemm.
 *
 * packedBytes = the base file size − the linear weights' f32 bytes + Σ params·bitsPerWeight/8.
 */
import type { KernelDevice, TensorStats, VariantSpec, VariantSummary } from '../api';
import { KERNEL_DEVICES, METHOD_IDS } from '../api';
import { labError } from '../errors';
import type { Job } from '../jobs';
import type { LoadedModel } from '../model/load';
import { readF32, writeVariant } from '../model/onnx-graph';
import { compressWeight, resolveOptions } from './compress-adapter';

export interface VariantRecord {
  summary: VariantSummary;
  /** the evaluation model: dequantized f32 weights, serialized */
  evalBytes: Uint8Array;
}

/** Stable id: same model, spec and device → same id. */
export function variantId(modelId: string, spec: VariantSpec, device: KernelDevice): string {
  const opts = Object.entries(spec.options ?? {})
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${modelId}|${spec.method}(${opts})|${device}`;
}

export function variantLabel(spec: VariantSpec): string {
  const o = spec.options ?? {};
  switch (spec.method) {
    case 'magnitude-prune':
      return `prune ${Math.round((o.ratio ?? 0.5) * 100)} %`;
    case 'int8-channel':
      return 'INT8 per channel';
    case 'int4-group':
      return `INT4 g${o.groupSize}`;
    default:
      return spec.method;
  }
}

export function validateSpec(spec: VariantSpec, device: KernelDevice): void {
  if (!spec || !(METHOD_IDS as readonly string[]).includes(spec.method)) {
    throw labError('BadOption', `method must be one of ${METHOD_IDS.join(', ')}; got "${spec?.method}"`);
  }
  if (!(KERNEL_DEVICES as readonly string[]).includes(device)) {
    throw labError('BadOption', `device must be one of ${KERNEL_DEVICES.join(', ')}; got "${device}"`);
  }
}

/** The spec with validated, defaulted options (so `{}` and the defaults name the same variant). */
export function resolveSpec(spec: VariantSpec, device: KernelDevice): VariantSpec {
  validateSpec(spec, device);
  return { method: spec.method, options: { ...resolveOptions(spec.method, spec.options ?? {}) } };
}

export async function makeVariant(model: LoadedModel, given: VariantSpec, device: KernelDevice, job: Job): Promise<VariantRecord> {
  const spec = resolveSpec(given, device);
  const weights = model.linear;
  const replace = new Map<string, Float32Array>();
  const tensors: TensorStats[] = [];
  let kernelMs = 0;
  let packedLinearBytes = 0;
  const label = variantLabel(spec);
  job.progress('compress', 0, weights.length);
  for (let i = 0; i < weights.length; i++) {
    await job.checkpoint();
    const w = weights[i];
    const info = model.parsed.tensors.get(w.name)!;
    // a copy: the kernels may not write into the model's own bytes
    const data = readF32(info).slice();
    const r = await compressWeight(spec.method, spec.options, { name: w.name, data, shape: w.shape, layout: w.layout }, device);
    replace.set(w.name, r.dequantized);
    tensors.push({ ...r.stats, name: w.name, params: w.params });
    kernelMs += r.kernelMs ?? 0;
    packedLinearBytes += (w.params * r.stats.bitsPerWeight) / 8;
    job.progress('compress', i + 1, weights.length, w.name);
  }
  job.check();
  job.progress('write', 0, 1, 'writing the evaluation model');
  const evalBytes = writeVariant(model.parsed, replace);
  job.progress('write', 1, 1);
  const linearParams = model.summary.linearParams;
  const bitsPerWeight = tensors.reduce((a, t) => a + t.bitsPerWeight * t.params, 0) / linearParams;
  const summary: VariantSummary = {
    id: variantId(model.summary.id, spec, device),
    modelId: model.summary.id,
    label,
    spec,
    device,
    tensors,
    bitsPerWeight,
    packedBytes: Math.ceil(model.summary.onnxBytes - linearParams * 4 + packedLinearBytes),
    kernelMs,
  };
  return { summary, evalBytes };
}
