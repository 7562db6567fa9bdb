/**
 * SparseGPT's kernels where the device has 'subgroups' (gpu-device.ts asks for them where the
 * adapter has them; on SwiftShader a subgroup is the 4 SIMD lanes of 4 consecutive invocations):
 * values every thread of a quad needs are loaded once a thread, a different one each, and handed
 * round with quadBroadcast, because on SwiftShader a storage load is a per-lane gather whatever the
 * addresses (lazy-span.ts's errors). Tried in nm-batch.ts's kernel too (U's and 1 / U_aa's vec4s,
 * alike for the quad's 4 rows, a float a thread): GPU-process CPU of the 768 × 3,072 2:4 call
 * 1.10-1.36 s against 1.08-1.25 s without (5 runs each), not kept. Compiled here, not by pipelineFor (shared/gpu.ts): `enable
 * subgroups;` must come before common.wgsl, which pipelineFor puts first; a compile error rejects
 * with 'GpuKernelFailed' as pipelineFor's does. The kernels assume a quad is 4 consecutive local
 * invocations (lane lid % 4), as on SwiftShader and the GPUs that fill subgroups in
 * local_invocation_index order; the kernels harness checks it where it runs.
 */
import { labError } from '../../errors';
import COMMON_WGSL from '../shared/common.wgsl?raw';
import { pipelineFor } from '../shared/gpu';

const made = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

export const hasQuads = (device: GPUDevice): boolean => device.features.has('subgroups');

function quadPipeline(device: GPUDevice, label: string, wgsl: string): Promise<GPUComputePipeline> {
  let cache = made.get(device);
  if (!cache) made.set(device, (cache = new Map()));
  let pipeline = cache.get(label);
  if (!pipeline) {
    const module = device.createShaderModule({ label, code: `enable subgroups;\n${COMMON_WGSL}\n${wgsl}` });
    pipeline = module.getCompilationInfo().then((info) => {
      const errors = info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
      if (errors.length) throw labError('GpuKernelFailed', `WebGPU kernel "${label}" failed: WGSL does not compile: ${errors.join('; ')}`);
      return device.createComputePipeline({ label, layout: 'auto', compute: { module, entryPoint: 'main' } });
    });
    pipeline.catch(() => cache.delete(label));
    cache.set(label, pipeline);
  }
  return pipeline;
}

/** `make(quads)`'s pipeline: with quads where the device has subgroups, else through pipelineFor. */
export function sparseGptPipeline(device: GPUDevice, label: string, make: (quads: boolean) => string): Promise<GPUComputePipeline> {
  if (hasQuads(device)) return quadPipeline(device, `${label} quads`, make(true));
  return Promise.resolve(pipelineFor(device, label, make(false)));
}
