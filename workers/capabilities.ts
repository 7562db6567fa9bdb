/**
 * What this browser can do, probed once and frozen: WebGPU (adapter, shader-f16, buffer limits), whether
 * the page is crossOriginIsolated (WASM threads need SharedArrayBuffer) and WASM SIMD.
 * `?nogpu=1` on the worker URL hides WebGPU, so the no-GPU path can be tried on any machine;
 * `?maxStorageBufferBindingSize=N` / `?maxBufferSize=N` (bytes) report smaller limits than the adapter's,
 * so the early size note and the kernels' chunks can be tried on SwiftShader (1 GiB for both).
 */
import type { Capabilities } from './api';
import { channelChunking } from './compression/shared/channel-chunks';

/** The smallest module using a v128 instruction (as wasm-feature-detect does). */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/**
 * Threads the WASM EP uses: all cores when SharedArrayBuffer is allowed, else 1. `?wasmThreads=N`
 * on the worker URL asks for fewer (a test hook: with one thread ORT starts no pthread worker, whose
 * idle wait holds performance.measureUserAgentSpecificMemory until Chromium's 60 s timeout).
 */
export function wasmThreads(): number {
  const all = globalThis.crossOriginIsolated ? Math.max(1, navigator.hardwareConcurrency || 1) : 1;
  const asked = Number(new URLSearchParams(globalThis.location?.search ?? '').get('wasmThreads'));
  return Number.isInteger(asked) && asked >= 1 ? Math.min(all, asked) : all;
}

export const gpuHidden = (): boolean => new URL(self.location.href).searchParams.get('nogpu') === '1';

/** Makes navigator.gpu undefined in this worker (for ?nogpu=1). */
export function hideWebGpu(): void {
  const proto = Object.getPrototypeOf(navigator);
  Object.defineProperty(proto, 'gpu', { get: () => undefined, configurable: true });
  if ('gpu' in navigator && Object.prototype.hasOwnProperty.call(navigator, 'gpu')) {
    Object.defineProperty(navigator, 'gpu', { get: () => undefined, configurable: true });
  }
}

type GpuLimits = NonNullable<Capabilities['gpuLimits']>;
type LimitName = 'maxBufferSize' | 'maxStorageBufferBindingSize';

/**
 * Test override: limits below the adapter's, from the worker URL's query (each the smaller of the two).
 * The kernels then split by the forced binding limit too (channelChunking, as e2e/harness/kernels.ts forces it).
 */
export function forcedGpuLimits(search: string, adapter: GpuLimits): GpuLimits {
  const q = new URLSearchParams(search);
  const forced = (k: LimitName) => {
    const n = Number(q.get(k));
    return q.has(k) && Number.isSafeInteger(n) && n > 0 ? Math.min(n, adapter[k]) : undefined;
  };
  const [buffer, binding] = [forced('maxBufferSize'), forced('maxStorageBufferBindingSize')];
  if (buffer === undefined && binding === undefined) return adapter;
  const limits = { maxBufferSize: buffer ?? adapter.maxBufferSize, maxStorageBufferBindingSize: binding ?? adapter.maxStorageBufferBindingSize, forced: true };
  channelChunking.maxBindingBytes = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
  return limits;
}

let probed: Promise<Readonly<Capabilities>> | undefined;

export function capabilities(): Promise<Readonly<Capabilities>> {
  probed ??= probe().then((c) => Object.freeze(c));
  return probed;
}

async function probe(): Promise<Capabilities> {
  const base = {
    crossOriginIsolated: Boolean(globalThis.crossOriginIsolated),
    wasmThreads: wasmThreads(),
    wasmSimd: WebAssembly.validate(SIMD_PROBE),
  };
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (gpuHidden()) return { ...base, webgpu: false, webgpuReason: 'hidden by ?nogpu=1', shaderF16: false };
  if (!gpu) return { ...base, webgpu: false, webgpuReason: 'navigator.gpu is missing (browser without WebGPU, or not a secure context)', shaderF16: false };
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return { ...base, webgpu: false, webgpuReason: `requestAdapter failed: ${(e as Error).message}`, shaderF16: false };
  }
  if (!adapter) return { ...base, webgpu: false, webgpuReason: 'requestAdapter returned no adapter (GPU blocklisted or disabled)', shaderF16: false };
  const info = adapter.info;
  const name = [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ');
  // the adapter's own limits: the kernels' device asks for these (compression/gpu-device.ts), and the early size check goes by them
  const gpuLimits = forcedGpuLimits(self.location.search, { maxBufferSize: adapter.limits.maxBufferSize, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize });
  return { ...base, webgpu: true, adapter: name || 'unknown adapter', shaderF16: adapter.features.has('shader-f16'), gpuLimits };
}
