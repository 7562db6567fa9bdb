/**
 * Small helpers every GPU program uses: cached pipelines (common.wgsl prepended), buffers with
 * size checks against the device limits, 2D dispatch for large grids, uniforms and readback.
 * Programs bind their buffers to group 0 in binding order.
 */
import { labError } from '../../errors';
import COMMON_WGSL from './common.wgsl?raw';

/**
 * Test hook: a smaller cap on the grid's x dimension than the device's (0 = the device limit), so
 * small tensors exercise the 2D grid and its ragged last row (used by e2e/harness/kernels.ts).
 */
export const gridSettings = { maxWorkgroupsX: 0 };

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

/** A storage buffer of at least 4 bytes, checked against the device's binding limits. */
export function storageBuffer(device: GPUDevice, label: string, bytes: number, extraUsage = 0): GPUBuffer {
  const size = Math.max(4, Math.ceil(bytes / 4) * 4);
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  if (size > limit) {
    throw labError('BadOption', `${label}: ${size} bytes exceed this GPU's storage binding limit of ${limit} bytes; use the cpu device`);
  }
  return device.createBuffer({
    label,
    size,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | extraUsage,
  });
}

/** A storage buffer holding `data` (uploaded through the queue). */
export function uploadBuffer(device: GPUDevice, label: string, data: ArrayBufferView): GPUBuffer {
  const buffer = storageBuffer(device, label, data.byteLength);
  if (data.byteLength % 4 === 0) device.queue.writeBuffer(buffer, 0, data as GPUAllowSharedBufferSource);
  else {
    const padded = new Uint8Array(Math.ceil(data.byteLength / 4) * 4);
    padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    device.queue.writeBuffer(buffer, 0, padded);
  }
  return buffer;
}

/** A uniform buffer of 32-bit fields; `i32` fields are passed as negative numbers, floats as f32 bits. */
export function uniformBuffer(device: GPUDevice, label: string, fields: readonly number[]): GPUBuffer {
  const words = new Int32Array(Math.max(4, Math.ceil(fields.length / 4) * 4));
  fields.forEach((v, k) => (words[k] = v));
  const buffer = device.createBuffer({ label, size: words.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, words);
  return buffer;
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

export interface Readback {
  buffer: GPUBuffer;
  bytes: number;
  /** byte offset into `buffer` (a multiple of 4) */
  offset?: number;
}

/** Submit `encoder` after copying each source range out; resolves with those bytes, in order. */
export async function submitAndRead(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  sources: readonly Readback[],
): Promise<ArrayBuffer[]> {
  const stagings = sources.map(({ bytes }) =>
    device.createBuffer({
      label: 'readback',
      size: Math.max(4, Math.ceil(bytes / 4) * 4),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    }),
  );
  sources.forEach(({ buffer, offset = 0 }, k) => encoder.copyBufferToBuffer(buffer, offset, stagings[k], 0, stagings[k].size));
  device.queue.submit([encoder.finish()]);
  return Promise.all(
    stagings.map(async (staging, k) => {
      await staging.mapAsync(GPUMapMode.READ);
      const bytes = staging.getMappedRange().slice(0, sources[k].bytes);
      staging.unmap();
      staging.destroy();
      return bytes;
    }),
  );
}

/** Destroy buffers once the queue is done with them. */
export function release(...buffers: GPUBuffer[]): void {
  for (const b of buffers) b.destroy();
}
