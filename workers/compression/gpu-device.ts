/**
 * The one GPUDevice the compression kernels use, requested once (with the adapter's largest
 * storage limits, so tensors like 50257x768 f32 fit) and recreated if lost. shader-f16 is
 * detected for the capability report, but the kernels are f32 only (SwiftShader has no f16).
 */
import { labError } from '../errors';

export interface KernelGpu {
  device: GPUDevice;
  /** vendor / architecture / description as the adapter reports it */
  adapter: string;
  shaderF16: boolean;
}

let pending: Promise<KernelGpu> | undefined;

async function requestGpu(): Promise<KernelGpu> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw labError('WebGpuUnavailable', 'WebGPU is not available here (navigator.gpu is missing); use the cpu device');
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw labError('WebGpuUnavailable', 'no WebGPU adapter was found; use the cpu device');
  const device = await adapter.requestDevice({
    label: 'compression kernels',
    // sparsegpt/lazy-span.ts hands values round a quad of invocations where it can
    requiredFeatures: adapter.features.has('subgroups') ? ['subgroups'] : [],
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxComputeWorkgroupsPerDimension: adapter.limits.maxComputeWorkgroupsPerDimension,
    },
  });
  device.lost.then(() => {
    pending = undefined;
  });
  const info = adapter.info;
  return {
    device,
    adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter',
    shaderF16: adapter.features.has('shader-f16'),
  };
}

/** The shared kernel device; the first call requests it, later calls get the same one. */
export function getKernelGpu(): Promise<KernelGpu> {
  if (!pending) {
    pending = requestGpu();
    pending.catch(() => (pending = undefined));
  }
  return pending;
}
