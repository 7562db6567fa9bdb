/**
 * The engine's only door to the compression kernels (workers/compression/, owned by the kernels
 * side): `compressTensor(method, options, tensor, device)` from workers/compression/registry.ts.
 * Loaded through import.meta.glob so the engine builds and runs (with a clear 'not yet' error)
 * before that file exists.
 */
import type { KernelDevice, MethodId, MethodOptions } from '../api';
import type { CompressionResult, WeightTensor } from '../compression/types';
import { labError } from '../errors';

export type { CompressionResult, WeightTensor };

type CompressTensor = (method: MethodId, options: MethodOptions, tensor: WeightTensor, device: KernelDevice) => Promise<CompressionResult>;

const registries = import.meta.glob<{ compressTensor?: CompressTensor }>('../compression/registry.ts');

let loaded: Promise<CompressTensor> | undefined;
function load(): Promise<CompressTensor> {
  loaded ??= (async () => {
    const importer = Object.values(registries)[0];
    const mod = importer ? await importer() : undefined;
    if (!mod?.compressTensor) throw new Error('not yet: workers/compression/registry.ts (compressTensor) has not landed');
    return mod.compressTensor;
  })();
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

export async function compressWeight(method: MethodId, options: MethodOptions, tensor: WeightTensor, device: KernelDevice): Promise<CompressionResult> {
  const compressTensor = await load();
  const r = await compressTensor(method, options, tensor, device);
  if (!(r?.dequantized instanceof Float32Array) || r.dequantized.length !== tensor.data.length) {
    throw labError('BadOption', `${method} on ${tensor.name}: expected ${tensor.data.length} dequantized floats, got ${r?.dequantized?.length}`);
  }
  return r;
}
