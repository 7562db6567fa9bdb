/**
 * Small helpers every GPU program uses: pipelines compiled once per device (common.wgsl
 * prepended) and 2D dispatch for large grids. Programs bind their buffers to group 0 in binding
 * order. Buffers, uploads and readback are in kernel-run.ts.
 */
import { labError } from '../../errors';
import COMMON_WGSL from './common.wgsl?raw';

/**
 * Test hooks (used by e2e/harness/kernels.ts): a smaller cap on the grid's x dimension than the
 * device's (0 = the device limit), so small tensors exercise the 2D grid and its ragged last row;
 * and fewer weights per chunk than affine-gpu.ts's CHUNK_WEIGHTS (0 = that), so small tensors
 * exercise several chunks in flight.
 */
export const gridSettings = { maxWorkgroupsX: 0, chunkWeights: 0 };

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

export function pipelineFor(device: GPUDevice, label: string, wgsl: string): GPUComputePipeline {
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, (cache = new Map()));
  let pipeline = cache.get(label);
  if (!pipeline) {
    const module = device.createShaderModule({ label, code: `${COMMON_WGSL}\n${wgsl}` });
    pipeline = device.createComputePipeline({ label, layout: 'auto', compute: { module, entryPoint: 'main' } });
    cache.set(label, pipeline);
  }
  return pipeline;
}

/**
 * [x, y] workgroup counts covering `workgroups` in row-major order (the kernels flatten them with
 * linear_workgroup and skip the ragged tail). x is at most `maxX`, y at most `maxY`.
 */
export function grid2d(workgroups: number, maxX: number, maxY = maxX): [number, number] {
  if (workgroups <= maxX) return [Math.max(workgroups, 1), 1];
  const y = Math.ceil(workgroups / maxX);
  if (y > maxY) throw labError('BadOption', `${workgroups} workgroups exceed a ${maxX} x ${maxY} grid (tensor too large); use the cpu device`);
  return [Math.ceil(workgroups / y), y];
}

/** The bits of an f32, for a uniform field the WGSL reads with bitcast<f32>. */
export function f32Bits(x: number): number {
  return new Int32Array(new Float32Array([x]).buffer)[0];
}

/** Record one dispatch of `workgroups` workgroups (2D when needed) with buffers bound in order. */
export function dispatch(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  pipeline: GPUComputePipeline,
  buffers: readonly GPUBuffer[],
  workgroups: number,
): void {
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  const limit = device.limits.maxComputeWorkgroupsPerDimension;
  const [x, y] = grid2d(workgroups, gridSettings.maxWorkgroupsX || limit, limit);
  pass.dispatchWorkgroups(x, y);
  pass.end();
}
