/**
 * What a variant needs beyond one method on one tensor:
 * - combined methods (VariantSpec.then): prune, then quantize what is left with the mask kept. Every
 *   quantizer here maps 0 to exactly 0 (affine grids include 0, NF4 has 0 in its code book), so the
 *   pruned weights stay zero by construction; GPTQ gets the mask and keeps pruned weights at 0
 *   while it carries their error (gptq/masked.ts), calibrated on the source model's layer inputs.
 *   compressThen checks it weight by weight and refuses a second method that would move one.
 *   After structured pruning (structured-then.ts) the second method runs on the rewritten, smaller
 *   weights and may be any method but structured pruning, calibrated ones on the rewritten model.
 * - methods that decide across the whole model (MethodImpl.plan, e.g. global-prune): one pass over
 *   every linear weight before the per-tensor step.
 * - the storage a variant ends in, from its weights' packed forms.
 */
import { METHOD_IDS, type KernelDevice, type LinearWeight, type MethodId, type VariantSpec, type VariantStorage } from '../api';
import { methodImpl } from '../compression/registry';
import { tensorStats } from '../compression/stats';
import { labError } from '../errors';
import type { LoadedModel } from '../model/load';
import { readF32 } from '../model/onnx-graph';
import type { PackedForm } from '../formats/packed-model';
import { checkStructuredThen } from './structured-then';
import { compressWeight, resolveOptions, type CompressionResult, type WeightTensor } from './compress-adapter';

/** Methods that zero weights and return their mask: what may come first in a combined variant. */
export const PRUNING_METHODS: readonly MethodId[] = Object.freeze(['magnitude-prune', 'nm-prune', 'global-prune', 'wanda', 'sparsegpt'] as MethodId[]);

/** The second method of a combined spec, validated and with its options resolved; undefined when there is none. */
export function resolveThen(spec: VariantSpec): VariantSpec | undefined {
  const then = spec.then;
  if (!then) return undefined;
  if (!(METHOD_IDS as readonly string[]).includes(then.method)) {
    throw labError('BadOption', `then.method must be one of ${METHOD_IDS.join(', ')}; got "${then.method}"`);
  }
  // structured-prune first: the graph is rewritten, then the second method quantizes the smaller weights (structured-then.ts)
  if (!PRUNING_METHODS.includes(spec.method) && spec.method !== 'structured-prune') {
    throw labError('BadOption', `a combined variant starts with a pruning method (${[...PRUNING_METHODS, 'structured-prune'].join(', ')}); got ${spec.method} then ${then.method}`);
  }
  // after structured pruning the smaller weights may be pruned again, unstructured or N:M (e.g. Wanda 50 %); else the second method quantizes
  if (PRUNING_METHODS.includes(then.method) && spec.method !== 'structured-prune') throw labError('BadOption', `then: ${then.method} prunes; the second method of a combined variant quantizes`);
  if (then.then) throw labError('BadOption', 'a combined variant has two methods at most');
  if (spec.method === 'structured-prune') checkStructuredThen(then);
  return { method: then.method, options: { ...resolveOptions(then.method, then.options ?? {}) } };
}

/**
 * Each weight's plan when the method decides across the model (e.g. global-prune's one threshold),
 * over the weights the variant compresses (an LM head left f32 takes no part), else undefined.
 */
export function planTensors(spec: VariantSpec, model: LoadedModel, weights: readonly LinearWeight[]): unknown[] | undefined {
  const impl = methodImpl(spec.method);
  if (!impl.plan) return undefined;
  const read = (i: number) => readF32(model.parsed.tensors.get(weights[i].name)!);
  return impl.plan({ count: weights.length, read }, impl.meta.resolveOptions(spec.options));
}

/**
 * The second method on the first's result. Stats are against the original weights; the mask is the
 * first method's. Throws when a pruned weight is not exactly zero after the second method.
 */
export async function compressThen(first: CompressionResult, then: VariantSpec, original: WeightTensor, device: KernelDevice): Promise<CompressionResult> {
  if (!first.mask) throw new Error(`${first.method} returned no mask: it cannot come first in a combined variant`);
  // the mask goes along: GPTQ's error feedback keeps pruned weights at 0 with it (gptq/masked.ts); the other quantizers map 0 to 0 anyway
  const r = await compressWeight(then.method, then.options, { ...original, data: first.dequantized, plan: undefined, mask: first.mask }, device);
  for (let f = 0; f < first.mask.length; f++) {
    if (first.mask[f] === 0 && r.dequantized[f] !== 0) {
      throw labError('BadOption', `${first.method} then ${then.method} on ${original.name}: pruned weight ${f} became ${r.dequantized[f]}; ${then.method} does not keep the mask`);
    }
  }
  const stats = tensorStats(original.name ?? '', original.data, r.dequantized, r.stats.bitsPerWeight);
  if (r.stats.calibrationLoss !== undefined) stats.calibrationLoss = r.stats.calibrationLoss;
  return { ...r, stats, mask: first.mask, kernelMs: first.kernelMs + r.kernelMs };
}

/** How one weight is stored. */
export function storageOfForm(form: PackedForm): VariantStorage {
  if (form.kind !== 'f32') return 'packed';
  return form.simulated ? 'simulated' : 'dense';
}

/** A variant is 'simulated' if any weight is, 'dense' if every weight is, else 'packed'. */
export function variantStorage(storages: ReadonlySet<VariantStorage>): VariantStorage {
  if (storages.has('simulated')) return 'simulated';
  return storages.size === 1 && storages.has('dense') ? 'dense' : 'packed';
}
