/**
 * The engine's only door to the compression kernels (workers/compression/, owned by the kernels
 * side): `compressTensor(method, options, tensor, device)` from workers/compression/registry.ts.
 * It checks what comes back before the variant writer trusts it.
 */
import type { KernelDevice, MethodId, MethodOptions } from '../api';
import { getKernelGpu } from '../compression/gpu-device';
import { compressTensor, methodImpl } from '../compression/registry';
import { releaseKernelBuffers } from '../compression/shared/buffer-pool';
import { dequantizedLength, dequantizedPending, type CompressionResult, type WeightTensor } from '../compression/types';
import { labError } from '../errors';

export type { CompressionResult, WeightTensor };

export async function compressWeight(method: MethodId, options: MethodOptions, tensor: WeightTensor, device: KernelDevice): Promise<CompressionResult> {
  const r = await compressTensor(method, options, tensor, device);
  // a lazy `dequantized` (types.ts withLazyDequantized) is checked by its length, not computed here
  const n = r && (dequantizedPending(r) ? dequantizedLength(r) : r.dequantized instanceof Float32Array ? r.dequantized.length : undefined);
  if (n !== tensor.data.length) throw labError('BadOption', `${method} on ${tensor.name}: expected ${tensor.data.length} dequantized floats, got ${n}`);
  if (!Number.isFinite(r.stats?.bitsPerWeight)) throw new Error(`${method} on ${tensor.name}: stats without bitsPerWeight`);
  return r;
}

/** The options with defaults filled in; throws 'BadOption' naming the valid choices. */
export function resolveOptions(method: MethodId, options: MethodOptions): MethodOptions {
  return methodImpl(method).meta.resolveOptions(options ?? {});
}

/** Frees the GPU buffers the kernels keep between tensors (call when a variant is done). */
export async function releaseKernelMemory(): Promise<void> {
  releaseKernelBuffers((await getKernelGpu()).device);
}
