/**
 * SparseGPT's kernels where the device has 'subgroups' (gpu-device.ts asks for them where the
 * adapter has them; on SwiftShader a subgroup is the 4 SIMD lanes of 4 consecutive invocations):
 * values every thread of a quad needs are loaded once a thread, a different one each, and handed
 * round with quadBroadcast, because on SwiftShader a storage load is a per-lane gather whatever the
 * addresses (lazy-span.ts's errors). Tried in nm-batch.ts's kernel too (U's and 1 / U_aa's vec4s,
 * alike for the quad's 4 rows, a float a thread): GPU-process CPU of the 768 × 3,072 2:4 call
 * 1.10-1.36 s against 1.08-1.25 s without (5 runs each), not kept. Compiled by pipelineFor
 * (shared/gpu.ts), which puts the kernel's `enable subgroups;` ahead of common.wgsl. The kernels take a quad to be 4 consecutive local
 * invocations (lane lid % 4), as on SwiftShader and the GPUs that fill subgroups in
 * local_invocation_index order; WGSL does not promise it, so a probe checks it once per device
 * (quadsInOrder) and the kernels load every value themselves where it does not hold.
 */
import { pipelineFor } from '../shared/gpu';

// each invocation of a 64-wide workgroup (lazy-span.ts's) reads lanes 1 and 3 of its quad
const PROBE_WGSL = `enable subgroups;
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(64) fn main(@builtin(local_invocation_index) lid: u32) {
  out[lid] = quadBroadcast(lid, 1u) * 256u + quadBroadcast(lid, 3u);
}`;

const probed = new WeakMap<GPUDevice, Promise<boolean>>();

/** Whether the device has subgroups whose quads are invocations 4k .. 4k + 3 of a workgroup (probed once). */
export function quadsInOrder(device: GPUDevice): Promise<boolean> {
  if (!device.features.has('subgroups')) return Promise.resolve(false);
  let ok = probed.get(device);
  if (!ok) probed.set(device, (ok = probeQuads(device).catch(() => false)));
  return ok;
}

async function probeQuads(device: GPUDevice): Promise<boolean> {
  const out = device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size: 256, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ label: 'quad probe', code: PROBE_WGSL }), entryPoint: 'main' } });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: out } }] }));
    pass.dispatchWorkgroups(1);
    pass.end();
    encoder.copyBufferToBuffer(out, 0, read, 0, 256);
    device.queue.submit([encoder.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const got = new Uint32Array(read.getMappedRange());
    return got.every((v, lid) => v === ((lid & ~3) + 1) * 256 + (lid & ~3) + 3);
  } finally {
    out.destroy();
    read.destroy();
  }
}

/** `make(quads)`'s pipeline: with quads where the device's are in order (quadsInOrder), else through pipelineFor. */
export async function sparseGptPipeline(device: GPUDevice, label: string, make: (quads: boolean) => string): Promise<GPUComputePipeline> {
  if (await quadsInOrder(device)) return pipelineFor(device, `${label} quads`, `enable subgroups; ${make(true)}`);
  return pipelineFor(device, label, make(false));
}
