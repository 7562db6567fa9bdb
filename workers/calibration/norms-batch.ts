/**
 * The column-norm accumulators of a device (col-norms.wgsl) share their uploads and submits. An
 * add only queues its batch X here; the next flush or read sends everything queued up in one
 * mapped staging buffer (each X at a 256-byte aligned offset, its rows padded to the
 * accumulator's stride) and runs one col-norms dispatch per batch, in queue order, in one submit.
 * A calibration pass of the 124 M shape adds 48 layer inputs a sequence: one upload and one
 * submit where each input took its own writeBuffer and submit (SwiftShader: ~2.1 × the TS pass,
 * the per-call costs, not the kernel). A mapped staging buffer, not writeBuffer: Chromium sends a
 * writeBuffer's bytes through its command stream (copied in chunks, reassembled in the GPU
 * process, then staged again), the slowest of the ways tried for 16 MB a sequence.
 * Each dispatch is the same kernel on the same rows as before, so the statistic is bit for bit
 * what a dispatch per add gave (and what accumulate.ts's reference gives).
 */
import { poolFor, type Pooled } from '../compression/shared/buffer-pool';
import { dispatch, pipelineFor, submitChecked } from '../compression/shared/gpu';
import COL_NORMS_WGSL from './col-norms.wgsl?raw';

/** Must match WORKGROUP_SIZE in col-norms.wgsl */
const WORKGROUP_SIZE = 16;
/** WebGPU's largest minStorageBufferOffsetAlignment / minUniformBufferOffsetAlignment: each X and each sizes slot starts at a multiple */
const ALIGN = 256;
/** At most this many bytes of X go up in one staging buffer (a larger queue is sent in several): a 7 B model's layer inputs are ~760 MB a sequence, over a buffer's limit */
const CHUNK_BYTES = 64 * 2 ** 20;

/** What an accumulator gives the batch: its statistic buffer and X's layout, and where its submits' checks go. */
export interface NormsTarget {
  readonly stat: GPUBuffer;
  readonly cols: number;
  /** X's row length on the GPU (cols rounded up to a multiple of 4: the kernel reads vec4s) */
  readonly stride: number;
  /** set when the accumulator was disposed: its queued batches are dropped */
  readonly disposed: boolean;
  track(check: Promise<void>): void;
}

interface Queued {
  target: NormsTarget;
  x: Float32Array;
  rows: number;
  /** bytes of X on the GPU, rows × stride floats */
  bytes: number;
}

const alignUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

export class NormsBatch {
  private queued: Queued[] = [];
  /** the sends so far, in order (a send waits for its staging buffer's map) */
  private sent: Promise<void> = Promise.resolve();
  /** what done() last waited for */
  private finished?: Promise<void>;

  constructor(readonly device: GPUDevice) {}

  /** Queue X (rows, target.cols) row-major; it is read at the next send, so it must not change before. */
  add(target: NormsTarget, x: Float32Array, rows: number): void {
    this.queued.push({ target, x, rows, bytes: rows * target.stride * 4 });
  }

  /** send(), then resolves when the GPU has done everything sent: one wait shared by all of a sequence's flushes (48 on the 124 M shape) */
  done(): Promise<void> {
    const before = this.sent;
    if (this.send() !== before || !this.finished) this.finished = this.sent.then(() => this.device.queue.onSubmittedWorkDone());
    return this.finished;
  }

  /** Sends everything queued; resolves when it is submitted (rejects when a staging buffer could not be had). */
  send(): Promise<void> {
    if (this.queued.length) {
      const queued = this.queued.splice(0);
      const previous = this.sent.catch(() => undefined); // one failed send does not block the next
      this.sent = previous.then(() => this.sendAll(queued));
    }
    return this.sent;
  }

  private async sendAll(queued: Queued[]): Promise<void> {
    let chunk: Queued[] = [];
    let bytes = 0;
    for (const q of queued) {
      if (chunk.length && bytes + alignUp(q.bytes) > CHUNK_BYTES) {
        await this.sendChunk(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(q);
      bytes += alignUp(q.bytes);
    }
    if (chunk.length) await this.sendChunk(chunk);
  }

  private async sendChunk(chunk: Queued[]): Promise<void> {
    const { device } = this;
    const pool = poolFor(device);
    const offsets: number[] = [];
    let size = 0;
    for (const q of chunk) {
      offsets.push(size);
      size += alignUp(q.bytes);
    }
    const staging = pool.take('calibration norms X staging', GPUBufferUsage.MAP_WRITE | GPUBufferUsage.COPY_SRC, size);
    try {
      await staging.mapped;
    } catch {
      // the map failed (an earlier call that threw while mapped): a fresh buffer
      staging.buffer.destroy();
      staging.buffer = device.createBuffer({ label: 'calibration norms X staging', size, usage: staging.buffer.usage, mappedAtCreation: true });
    }
    // from here to the submit nothing awaits: an accumulator disposed by now is not in it, and none is disposed before the submit
    const live = chunk.map((q, k) => [q, offsets[k]] as const).filter(([q]) => !q.target.disposed && q.rows > 0);
    const mapped = staging.buffer.getMappedRange(0, size);
    for (const [q, at] of live) writePadded(new Float32Array(mapped, at, q.bytes / 4), q.x, q.rows, q.target.cols, q.target.stride);
    staging.buffer.unmap();
    const taken: Pooled[] = [staging];
    try {
      if (!live.length) return;
      const x = pool.take('calibration norms X', GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, size);
      const sizes = pool.take('calibration norms sizes', GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, live.length * ALIGN);
      taken.push(x, sizes);
      const words = new Uint32Array((live.length * ALIGN) / 4);
      live.forEach(([q], k) => words.set([q.rows, q.target.stride / 4], (k * ALIGN) / 4));
      device.queue.writeBuffer(sizes.buffer, 0, words);
      const encoder = device.createCommandEncoder({ label: 'calibration norms' });
      encoder.copyBufferToBuffer(staging.buffer, 0, x.buffer, 0, size);
      const pipeline = pipelineFor(device, 'col-norms', COL_NORMS_WGSL);
      live.forEach(([q, at], k) => {
        const bindings = [{ buffer: sizes.buffer, offset: k * ALIGN, size: 16 }, { buffer: x.buffer, offset: at, size: q.bytes }, q.target.stat];
        dispatch(device, encoder, pipeline, bindings, Math.ceil(q.target.stride / 4 / WORKGROUP_SIZE));
      });
      // checked (a WGSL or binding error rejects the accumulators' flush or read, naming the kernel)
      const check = submitChecked(device, 'calibration-norms', encoder, [pipeline]);
      for (const t of new Set(live.map(([q]) => q.target))) t.track(check);
    } finally {
      // the queue may still read them: the pool hands them out only to later queue work (the staging buffer is mapped again first)
      for (const p of taken) pool.give(p);
    }
  }
}

/** X (rows, cols) into `to` (rows, stride), each row's columns past cols set to zero (the kernel reads whole vec4s; 0² adds +0) */
function writePadded(to: Float32Array, x: Float32Array, rows: number, cols: number, stride: number): void {
  if (stride === cols) {
    to.set(x.subarray(0, rows * cols));
    return;
  }
  for (let r = 0; r < rows; r++) {
    to.set(x.subarray(r * cols, r * cols + cols), r * stride);
    to.fill(0, r * stride + cols, r * stride + stride);
  }
}

const batches = new WeakMap<GPUDevice, NormsBatch>();

export function normsBatch(device: GPUDevice): NormsBatch {
  let b = batches.get(device);
  if (!b) batches.set(device, (b = new NormsBatch(device)));
  return b;
}
