/**
 * One kernel call on the GPU, start to end: the weights go up through a mapped staging buffer,
 * every pass is recorded on one encoder, and all outputs come back in one staging buffer with one
 * map. So a method costs one submit and one map round trip however many passes it has (the
 * passes hand each other their results in storage buffers, never through the CPU), and its large
 * buffers come from the pool (buffer-pool.ts) instead of new memory. Each submit is checked
 * (gpu.ts submitChecked): a WGSL compile error or a binding mismatch rejects the call with
 * 'GpuKernelFailed' naming the kernel before anything is read back.
 *
 *   const run = new KernelRun(device, 'int8-channel');
 *   try { const w = await run.upload('weights', data); run.dispatch(...); return await run.finish([...]); }
 *   finally { run.close(); }
 */
import { labError } from '../../errors';
import { poolFor, type Pooled } from './buffer-pool';
import { dispatch, submitChecked } from './gpu';

export interface Readback {
  buffer: GPUBuffer;
  bytes: number;
}

// a function: GPUBufferUsage does not exist where WebGPU does not (Node runs the CPU path)
const storageUsage = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
const align4 = (bytes: number) => Math.max(4, Math.ceil(bytes / 4) * 4);

export class KernelRun {
  encoder: GPUCommandEncoder;
  private readonly pool;
  private taken: Pooled[] = [];
  private temporary: GPUBuffer[] = [];
  /** the pipelines dispatched since the last submit: a compile error of theirs names them */
  private used = new Set<GPUComputePipeline>();

  constructor(readonly device: GPUDevice, private readonly label: string) {
    this.encoder = device.createCommandEncoder({ label });
    this.pool = poolFor(device);
  }

  /** A storage buffer of at least `bytes` (contents undefined), checked against the device's limits. */
  storage(label: string, bytes: number): GPUBuffer {
    const size = align4(bytes);
    const limit = Math.min(this.device.limits.maxStorageBufferBindingSize, this.device.limits.maxBufferSize);
    if (size > limit) {
      throw labError('BadOption', `${label}: ${size} bytes exceed this GPU's storage binding limit of ${limit} bytes; use the cpu device`);
    }
    return this.take(label, storageUsage(), size).buffer;
  }

  /** A storage buffer of at least `bytes` holding `data` (the rest undefined); the copy into it is the first command of the run. */
  async upload(label: string, data: ArrayBufferView, bytes = data.byteLength): Promise<GPUBuffer> {
    const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return this.uploadFilled(label, Math.max(bytes, data.byteLength), (mapped) => mapped.set(view));
  }

  /**
   * A storage buffer of `bytes` whose contents `fill` writes straight into the mapped staging
   * memory (zeroed first), so a caller laying data out (padding rows, appending) needs no JS copy
   * of the whole buffer: at K = 3,072 GPTQ's padded factor alone is 38 MB.
   */
  async uploadFilled(label: string, bytes: number, fill: (mapped: Uint8Array) => void): Promise<GPUBuffer> {
    const target = this.storage(label, bytes);
    const staging = this.take(`${label} staging`, GPUBufferUsage.MAP_WRITE | GPUBufferUsage.COPY_SRC, target.size);
    try {
      await staging.mapped;
    } catch {
      // the map failed (a lost device, an earlier call that threw while mapped): use a fresh buffer
      staging.buffer.destroy();
      staging.buffer = this.device.createBuffer({ label, size: target.size, usage: staging.buffer.usage, mappedAtCreation: true });
    }
    const mapped = new Uint8Array(staging.buffer.getMappedRange());
    mapped.fill(0);
    fill(mapped);
    staging.buffer.unmap();
    this.encoder.copyBufferToBuffer(staging.buffer, 0, target, 0, target.size);
    return target;
  }

  /** A small uniform buffer of 32-bit fields; `i32` fields are passed as negative numbers, floats as f32 bits. */
  uniform(label: string, fields: readonly number[]): GPUBuffer {
    const words = new Int32Array(Math.max(4, Math.ceil(fields.length / 4) * 4));
    fields.forEach((v, k) => (words[k] = v));
    const buffer = this.device.createBuffer({ label, size: words.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(buffer, 0, words);
    this.temporary.push(buffer);
    return buffer;
  }

  /** Record one dispatch of `workgroups` workgroups (2D when needed) with buffers bound in order. */
  dispatch(pipeline: GPUComputePipeline, buffers: readonly GPUBuffer[], workgroups: number): void {
    this.used.add(pipeline);
    dispatch(this.device, this.encoder, pipeline, buffers, workgroups);
  }

  /**
   * Submit everything recorded and read `sources` back, then record on a fresh encoder: for a
   * method whose next passes depend on a small result (magnitude-prune's bracket counts).
   */
  async flush(sources: readonly Readback[]): Promise<ArrayBuffer[]> {
    const out = await this.finish(sources);
    this.encoder = this.device.createCommandEncoder({ label: this.label });
    return out;
  }

  /**
   * Submit everything recorded (checked, gpu.ts submitChecked) and record on a fresh encoder, for
   * a kernel that reads its outputs back itself. The promise is marked handled: await it after
   * the reads and before their results count.
   */
  submit(): Promise<void> {
    const checked = submitChecked(this.device, this.label, this.encoder, this.used);
    this.used = new Set();
    this.encoder = this.device.createCommandEncoder({ label: this.label });
    return checked;
  }

  /** Submit everything recorded, read `sources` back (in order) and give the buffers back. */
  async finish(sources: readonly Readback[]): Promise<ArrayBuffer[]> {
    const offsets: number[] = [];
    let total = 0;
    for (const s of sources) {
      offsets.push(total);
      total += align4(s.bytes);
    }
    const staging = this.take('readback', GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, total).buffer;
    sources.forEach((s, k) => this.encoder.copyBufferToBuffer(s.buffer, 0, staging, offsets[k], align4(s.bytes)));
    const checked = submitChecked(this.device, this.label, this.encoder, this.used);
    this.used = new Set();
    // both settle before either is acted on: no map left pending on a buffer the pool takes back
    const [map, check] = await Promise.allSettled([staging.mapAsync(GPUMapMode.READ), checked]);
    if (map.status === 'rejected') throw map.reason; // a lost device: the caller reports the loss
    if (check.status === 'rejected') {
      staging.unmap();
      throw check.reason;
    }
    const mapped = staging.getMappedRange();
    const out = sources.map((s, k) => mapped.slice(offsets[k], offsets[k] + s.bytes));
    staging.unmap();
    return out;
  }

  /** Give the pooled buffers back and free the rest; call once, after finish or after a throw. */
  close(): void {
    for (const p of this.taken) this.pool.give(p);
    for (const b of this.temporary) b.destroy();
    this.taken = [];
    this.temporary = [];
  }

  private take(label: string, usage: number, size: number): Pooled {
    const p = this.pool.take(label, usage, size);
    this.taken.push(p);
    return p;
  }
}
