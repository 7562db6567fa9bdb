/**
 * Every compression method, and the one entry the engine calls: compressTensor runs a method on
 * WebGPU (WGSL) or on the CPU (the TS reference), then computes the stats the same way for both.
 * The UI, the worker and the tests iterate METHODS.
 */
import { METHOD_IDS, type KernelDevice, type MethodId, type MethodOptions } from '../api';
import { labError } from '../errors';
import { fp16Gpu } from './fp16/gpu';
import { fp16Meta, type Fp16Options } from './fp16/meta';
import { fp16Reference } from './fp16/reference';
import { globalPruneGpu } from './global-prune/gpu';
import { globalPruneMeta, type GlobalPruneOptions, type GlobalPrunePlan } from './global-prune/meta';
import { planGlobalPrune } from './global-prune/plan';
import { globalPruneReference } from './global-prune/reference';
import { awqMeta, type AwqOptions } from './awq/meta';
import { awqGpu } from './awq/gpu';
import { awqReference } from './awq/reference';
import { getKernelGpu } from './gpu-device';
import { channelChunking, gpuInChannelChunks } from './shared/channel-chunks';
import { gptqMeta, type GptqOptions } from './gptq/meta';
import { gptqGpu } from './gptq/gpu';
import { gptqMaskedGpu, gptqMaskedReference } from './gptq/masked';
import { gptqReference } from './gptq/reference';
import { int4GroupGpu } from './int4-group/gpu';
import { int4GroupMeta, type Int4GroupOptions } from './int4-group/meta';
import { int4GroupReference } from './int4-group/reference';
import { int8ChannelGpu } from './int8-channel/gpu';
import { int8ChannelMeta, type Int8ChannelOptions } from './int8-channel/meta';
import { int8ChannelReference } from './int8-channel/reference';
import { linearView, validateTensor } from './layout';
import { magnitudePruneGpu } from './magnitude-prune/gpu';
import { magnitudePruneMeta, type MagnitudePruneOptions } from './magnitude-prune/meta';
import { magnitudePruneReference } from './magnitude-prune/reference';
import { nf4Gpu } from './nf4/gpu';
import { nf4Meta, type Nf4Options } from './nf4/meta';
import { nf4Reference } from './nf4/reference';
import { nmPruneGpu } from './nm-prune/gpu';
import { nmPruneMeta, type NmPruneOptions } from './nm-prune/meta';
import { nmPruneReference } from './nm-prune/reference';
import { rtnGpu } from './rtn/gpu';
import { rtnMeta, type RtnOptions } from './rtn/meta';
import { rtnReference } from './rtn/reference';
import { sparseGptGpu } from './sparsegpt/gpu';
import { sparseGptMeta, type SparseGptOptions } from './sparsegpt/meta';
import { sparseGptReference } from './sparsegpt/reference';
import { structuredPruneMeta, type StructuredPruneOptions } from './structured-prune/meta';
import { structuredPruneReference } from './structured-prune/reference';
import { statsFromSums, tensorStats } from './stats';
import type { CompressionResult, MethodImpl, WeightTensor } from './types';
import { wandaGpu } from './wanda/gpu';
import { wandaMeta, type WandaOptions } from './wanda/meta';
import { wandaReference } from './wanda/reference';

const magnitudePrune: MethodImpl<MagnitudePruneOptions> = {
  meta: magnitudePruneMeta,
  reference: magnitudePruneReference,
  gpu: magnitudePruneGpu,
};
const int8Channel: MethodImpl<Int8ChannelOptions> = {
  meta: int8ChannelMeta,
  reference: (tensor) => int8ChannelReference(tensor),
  gpu: (device, tensor) => int8ChannelGpu(device, tensor),
  gpuCountsNonFinite: true,
};
const int4Group: MethodImpl<Int4GroupOptions> = {
  meta: int4GroupMeta,
  reference: int4GroupReference,
  gpu: int4GroupGpu,
  gpuCountsNonFinite: true,
};
// counted in the host's pass over the kernel's halves (fp16/halves.ts addHalfTotals), which the WebGPU path makes anyway
const fp16: MethodImpl<Fp16Options> = {
  meta: fp16Meta,
  reference: (tensor) => fp16Reference(tensor),
  gpu: (device, tensor) => fp16Gpu(device, tensor),
  gpuCountsNonFinite: true,
};
const rtn: MethodImpl<RtnOptions> = { meta: rtnMeta, reference: rtnReference, gpu: rtnGpu, gpuCountsNonFinite: true };
const nf4: MethodImpl<Nf4Options> = { meta: nf4Meta, reference: (tensor) => nf4Reference(tensor), gpu: (device, tensor) => nf4Gpu(device, tensor), gpuCountsNonFinite: true };
const nmPrune: MethodImpl<NmPruneOptions> = { meta: nmPruneMeta, reference: nmPruneReference, gpu: nmPruneGpu };
const globalPrune: MethodImpl<GlobalPruneOptions> = {
  meta: globalPruneMeta,
  reference: (tensor, options) => globalPruneReference(tensor, options, tensor.plan as GlobalPrunePlan | undefined),
  gpu: (device, tensor, options) => globalPruneGpu(device, tensor, options, tensor.plan as GlobalPrunePlan | undefined),
  plan: (tensors, options) => planGlobalPrune(tensors, options.ratio),
};

const wanda: MethodImpl<WandaOptions> = { meta: wandaMeta, reference: wandaReference, gpu: wandaGpu };
// GPTQ's column loop runs in WGSL (a dispatch per lazy block and one for its update); U = chol(H⁻¹) stays f64 in TS
// after pruning, a mask: the same loops keep pruned weights at 0 (gptq/masked.ts; gptq-block.wgsl reads it as bits)
const gptq: MethodImpl<GptqOptions> = {
  meta: gptqMeta,
  reference: (t, o) => (t.mask ? gptqMaskedReference(t, o, t.mask) : gptqReference(t, o)),
  gpu: (device, t, o) => (t.mask ? gptqMaskedGpu(device, t, o, t.mask) : gptqGpu(device, t, o)),
};
// AWQ's search (δ per α and output row, then δᵀHδ) and its quantization run in WGSL
const awq: MethodImpl<AwqOptions> = { meta: awqMeta, reference: awqReference, gpu: awqGpu };

// SparseGPT's column loop runs in WGSL, a thread per output row (rows are independent given the Hessian's factor)
const sparseGpt: MethodImpl<SparseGptOptions> = { meta: sparseGptMeta, reference: sparseGptReference, gpu: sparseGptGpu };

// structured-prune's per-tensor step zeroes the neurons its plan removes (a copy); its kernel is the neuron norms (structured-prune/gpu.ts), run by the graph pass
const structuredPrune: MethodImpl<StructuredPruneOptions> = {
  meta: structuredPruneMeta,
  reference: structuredPruneReference,
  gpu: async (_device, tensor, options) => structuredPruneReference(tensor, options),
};

/** Each method's implementation, by id (the options type varies, so the record is loosely typed). */
export const METHODS: Readonly<Record<MethodId, MethodImpl<any>>> = Object.freeze({
  'magnitude-prune': magnitudePrune,
  'int8-channel': int8Channel,
  'int4-group': int4Group,
  fp16,
  wanda,
  gptq,
  awq,
  rtn,
  nf4,
  'nm-prune': nmPrune,
  'global-prune': globalPrune,
  'structured-prune': structuredPrune,
  sparsegpt: sparseGpt,
});

export { METHOD_METAS } from './metas';

export function methodImpl(method: MethodId): MethodImpl<any> {
  const impl = (METHODS as Record<string, MethodImpl<any> | undefined>)[method];
  if (!impl) throw labError('BadOption', `unknown method ${String(method)}; choose one of ${METHOD_IDS.join(', ')}`);
  return impl;
}

/**
 * Compress one linear weight. Validates the method, options and tensor (errors named 'BadOption'
 * list the valid choices); on 'webgpu' uses `gpu` or the shared kernel device. The input is not
 * modified.
 */
export async function compressTensor(
  method: MethodId,
  options: MethodOptions,
  tensor: WeightTensor,
  device: KernelDevice,
  gpu?: GPUDevice,
): Promise<CompressionResult> {
  const impl = methodImpl(method);
  const resolved = impl.meta.resolveOptions(options ?? {});
  const kernelCounts = device === 'webgpu' && impl.gpuCountsNonFinite === true;
  validateTensor(tensor, { finite: !kernelCounts });
  const start = performance.now();
  let parts;
  // a weight over one storage binding runs in chunks of output channels (shared/channel-chunks.ts)
  channelChunking.chunks = 1;
  if (device === 'webgpu') parts = await gpuInChannelChunks(method, impl.gpu, gpu ?? (await getKernelGpu()).device, tensor, resolved);
  else if (device === 'cpu') parts = impl.reference(tensor, resolved);
  else throw labError('BadOption', `unknown kernel device ${String(device)}; choose webgpu or cpu`);
  const kernelMs = performance.now() - start;
  if (kernelCounts && parts.sums?.nonFinite !== 0) {
    // counted some (or, unexpectedly, did not count): the host's scan names the first
    validateTensor(tensor);
    if (parts.sums?.nonFinite) throw labError('GpuKernelFailed', `${method} on ${tensor.name ?? 'tensor'}: the kernel counted ${parts.sums.nonFinite} non-finite values the host does not find`);
  }
  const bits = impl.meta.bitsPerWeight(resolved, linearView(tensor.shape, tensor.layout));
  // sums the kernel took while it quantized (stats.ts): no pass of their own over the weights
  const stats = parts.sums ? statsFromSums(tensor.name ?? '', tensor.data.length, parts.sums, bits) : tensorStats(tensor.name ?? '', tensor.data, parts.dequantized, bits);
  if (parts.loss !== undefined) stats.calibrationLoss = parts.loss;
  if (parts.phaseMs) stats.phaseMs = parts.phaseMs;
  if (device === 'webgpu' && channelChunking.chunks > 1) stats.chunks = channelChunking.chunks;
  // onto parts, not a spread: a spread would compute a lazy `dequantized` (types.ts withLazyDequantized)
  return Object.assign(parts, { method, options: resolved, device, stats, kernelMs });
}
