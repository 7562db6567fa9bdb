/**
 * The floor under a WGSL kernel on this adapter: the same bytes up and back with an empty kernel
 * between, no computing. What fp16's WGSL path cannot go below (kernel-speed.ts ?floor=1).
 * Buffers are made once and reused, as the kernels' pool does; the upload staging buffer is
 * mapped again while idle, as buffer-pool.ts does, so its wait is not counted.
 *   mapped: copy into a mapped staging buffer, unmap, copyBufferToBuffer (KernelRun.upload)
 *   write:  queue.writeBuffer straight into the storage buffer
 *   staging: a case's staging buffer may be larger than its upload (`staging` bytes, as the pool's
 *   are) and mapped whole or only over the upload (`mapUp`): WebGPU copies the whole mapped range
 *   into the GPU's buffer on unmap, written or not
 * then one empty dispatch and the first `down` bytes read back through one mapped staging buffer
 * (and copied out of the mapping, as KernelRun.finish does).
 */
const EMPTY_WGSL = `
@group(0) @binding(0) var<storage, read_write> w: array<u32>;
@compute @workgroup_size(1) fn main() { if (arrayLength(&w) == 0u) { w[0] = 0u; } }`;

export interface FloorCase {
  upload: 'mapped' | 'write';
  up: number;
  down: number;
  /** the staging buffer's size (default: the data's) */
  staging?: number;
  /** map only the `up` bytes of it (default: all of it) */
  mapUp?: boolean;
}

export async function floorTimes(device: GPUDevice, data: Float32Array, cases: FloorCase[], runs: number): Promise<Record<string, number>> {
  const bytes = data.byteLength;
  const size = Math.max(bytes, ...cases.map((c) => c.down));
  const storage = device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const stagings = new Map<string, { buffer: GPUBuffer; mapped: Promise<void> }>();
  const stagingFor = (c: FloorCase) => {
    const size = c.staging ?? bytes;
    const key = `${size}:${c.mapUp ? c.up : size}`;
    let s = stagings.get(key);
    if (!s) stagings.set(key, (s = { buffer: device.createBuffer({ size, usage: GPUBufferUsage.MAP_WRITE | GPUBufferUsage.COPY_SRC }), mapped: Promise.resolve() }));
    return { s, mapBytes: c.mapUp ? c.up : size };
  };
  const down = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const module = device.createShaderModule({ code: EMPTY_WGSL });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const bind = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: storage } }] });
  const bytesView = new Uint8Array(data.buffer, data.byteOffset, bytes);
  const once = async (c: FloorCase): Promise<number> => {
    const { s, mapBytes } = stagingFor(c);
    const up = s.buffer;
    // mapped while idle, as the pool does
    if (c.upload === 'mapped') {
      await s.mapped;
      if (up.mapState !== 'mapped') await up.mapAsync(GPUMapMode.WRITE, 0, mapBytes);
    }
    const start = performance.now();
    const encoder = device.createCommandEncoder();
    if (c.upload === 'mapped') {
      new Uint8Array(up.getMappedRange(0, c.up)).set(bytesView.subarray(0, c.up));
      up.unmap();
      encoder.copyBufferToBuffer(up, 0, storage, 0, c.up);
    } else {
      device.queue.writeBuffer(storage, 0, data.buffer as ArrayBuffer, data.byteOffset, c.up);
    }
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(1);
    pass.end();
    encoder.copyBufferToBuffer(storage, 0, down, 0, c.down);
    device.queue.submit([encoder.finish()]);
    await down.mapAsync(GPUMapMode.READ, 0, c.down);
    down.getMappedRange(0, c.down).slice(0);
    down.unmap();
    const ms = performance.now() - start;
    if (c.upload === 'mapped') s.mapped = up.mapAsync(GPUMapMode.WRITE, 0, mapBytes);
    return ms;
  };
  const key = (c: FloorCase) => `${c.upload} up ${(c.up / 1e6).toFixed(1)} MB, down ${(c.down / 1e6).toFixed(1)} MB${c.staging ? ` (staging ${(c.staging / 1e6).toFixed(1)} MB, mapped ${c.mapUp ? 'over the upload' : 'whole'})` : ''}`;
  const times = new Map<string, number[]>(cases.map((c) => [key(c), []]));
  for (const c of cases) await once(c); // warm-up
  for (let r = 0; r < runs; r++) for (const c of cases) times.get(key(c))!.push(await once(c));
  for (const s of stagings.values()) {
    await s.mapped;
    s.buffer.destroy();
  }
  storage.destroy();
  down.destroy();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return Object.fromEntries([...times].map(([k, xs]) => [k, median(xs)]));
}
