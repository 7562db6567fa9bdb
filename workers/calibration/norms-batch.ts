/**
 * The column-norm accumulators of a device (col-norms-texture.wgsl) share their uploads and
 * submits. An add only queues its batch X here; the next flush or read sends everything queued up
 * in one mapped staging buffer (each X at a 256-byte aligned offset, its rows 256-byte aligned and
 * padded with zeros to whole texels), copies each X into its accumulator's rgba32float texture
 * and runs one dispatch per batch, in queue order, in one submit.
 * A calibration pass of the 124 M shape adds 48 layer inputs a sequence: one upload and one
 * submit where each input took its own writeBuffer and submit (SwiftShader: ~2.1 × the TS pass,
 * the per-call costs, not the kernel). A mapped staging buffer, not writeBuffer: Chromium sends a
 * writeBuffer's bytes through its command stream (copied in chunks, reassembled in the GPU
 * process, then staged again), the slowest of the ways tried for 16 MB a sequence.
 * Each dispatch sums its rows in order as col-norms.wgsl did per add, so the statistic is bit for
 * bit what a dispatch per add gave (and what accumulate.ts's reference gives).
 */
import { poolFor, type Pooled } from '../compression/shared/buffer-pool';
import { dispatch, pipelineFor, submitChecked } from '../compression/shared/gpu';
import COL_NORMS_WGSL from './col-norms-texture.wgsl?raw';

/** Must match WORKGROUP_SIZE in col-norms-texture.wgsl */
const WORKGROUP_SIZE = 16;
/** WebGPU's largest minUniformBufferOffsetAlignment and copyBufferToTexture's bytesPerRow multiple: each X, each row of it and each sizes slot starts at a multiple */
const ALIGN = 256;
/** At most this many bytes of X go up in one staging buffer (a larger queue is sent in several): a 7 B model's layer inputs are ~760 MB a sequence, over a buffer's limit */
const CHUNK_BYTES = 64 * 2 ** 20;

/** What an accumulator gives the batch: its statistic buffer and X's layout, and where its submits' checks go. */
export interface NormsTarget {
  readonly stat: GPUBuffer;
  readonly cols: number;
  /** X's row length on the GPU (cols rounded up to a multiple of 4: a texel holds 4 columns) */
  readonly stride: number;
  /** set when the accumulator was disposed: its queued batches are dropped */
  readonly disposed: boolean;
  track(check: Promise<void>): void;
}

interface Queued {
  target: NormsTarget;
  x: Float32Array;
  rows: number;
  /** bytes of a row of X in the staging buffer (a multiple of ALIGN, as copyBufferToTexture wants) */
  pitch: number;
}

const alignUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

export class NormsBatch {
  private queued: Queued[] = [];
  /** the sends so far, in order (a send waits for its staging buffer's map) */
  private sent: Promise<void> = Promise.resolve();
  /** what done() last waited for */
  private finished?: Promise<void>;
  /** each accumulator's X texture, kept between sends (a new one only when a batch has more rows) */
  private readonly textures = new Map<NormsTarget, GPUTexture>();

  constructor(readonly device: GPUDevice) {}

  /** Queue X (rows, target.cols) row-major; it is read at the next send, so it must not change before. */
  add(target: NormsTarget, x: Float32Array, rows: number): void {
    // a texture is at most maxTextureDimension2D rows high and a staging buffer CHUNK_BYTES: a taller X goes as several batches, rows still in order
    const pitch = alignUp(target.stride * 4);
    const most = Math.max(1, Math.min(this.device.limits.maxTextureDimension2D, Math.floor(CHUNK_BYTES / pitch)));
    for (let r = 0; r < rows; r += most) {
      const n = Math.min(most, rows - r);
      this.queued.push({ target, x: x.subarray(r * target.cols, (r + n) * target.cols), rows: n, pitch });
    }
  }

  /** Forget `target`'s queued batches and its texture (a disposed accumulator: its X is not kept waiting for a send that may never come). */
  drop(target: NormsTarget): void {
    this.queued = this.queued.filter((q) => q.target !== target);
    this.textures.get(target)?.destroy();
    this.textures.delete(target);
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
      if (chunk.length && bytes + q.rows * q.pitch > CHUNK_BYTES) {
        await this.sendChunk(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(q);
      bytes += q.rows * q.pitch;
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
      size += q.rows * q.pitch;
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
    for (const [q, at] of live) writeRows(new Float32Array(mapped, at, (q.rows * q.pitch) / 4), q.x, q.rows, q.target.cols, q.target.stride, q.pitch / 4);
    staging.buffer.unmap();
    const taken: Pooled[] = [staging];
    /** textures replaced by taller ones: destroyed once the submit that last uses them is made */
    const replaced: GPUTexture[] = [];
    try {
      if (!live.length) return;
      const sizes = pool.take('calibration norms sizes', GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, live.length * ALIGN);
      taken.push(sizes);
      const words = new Uint32Array((live.length * ALIGN) / 4);
      live.forEach(([q], k) => words.set([q.rows, q.target.stride / 4], (k * ALIGN) / 4));
      device.queue.writeBuffer(sizes.buffer, 0, words);
      const encoder = device.createCommandEncoder({ label: 'calibration norms' });
      const pipeline = pipelineFor(device, 'calibration-col-norms', COL_NORMS_WGSL);
      live.forEach(([q, at], k) => {
        const width = q.target.stride / 4;
        const texture = this.textureFor(q.target, width, q.rows, replaced);
        // each copy right before its dispatch: two batches of one accumulator in a chunk use its texture in turn
        encoder.copyBufferToTexture({ buffer: staging.buffer, offset: at, bytesPerRow: q.pitch, rowsPerImage: q.rows }, { texture }, [width, q.rows]);
        const bindings = [{ buffer: sizes.buffer, offset: k * ALIGN, size: 16 }, texture.createView(), q.target.stat];
        dispatch(device, encoder, pipeline, bindings, Math.ceil(width / WORKGROUP_SIZE));
      });
      // checked (a WGSL or binding error rejects the accumulators' flush or read, naming the kernel)
      const check = submitChecked(device, 'calibration-norms', encoder, [pipeline]);
      for (const t of new Set(live.map(([q]) => q.target))) t.track(check);
    } finally {
      // the queue may still read them: the pool hands them out only to later queue work (the staging buffer is mapped again first)
      for (const p of taken) pool.give(p);
      for (const t of replaced) t.destroy();
    }
  }

  /** `target`'s texture of `width` texels and at least `rows` rows (a shorter one goes to `replaced`) */
  private textureFor(target: NormsTarget, width: number, rows: number, replaced: GPUTexture[]): GPUTexture {
    const kept = this.textures.get(target);
    if (kept && kept.height >= rows) return kept;
    if (kept) replaced.push(kept);
    const texture = this.device.createTexture({ label: 'calibration norms X', size: [width, rows], format: 'rgba32float', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
    this.textures.set(target, texture);
    return texture;
  }
}

/** X (rows, cols) into `to` at `pitch` floats a row, each row's columns from cols to stride set to zero (a texel's unused lanes: 0² adds +0) */
function writeRows(to: Float32Array, x: Float32Array, rows: number, cols: number, stride: number, pitch: number): void {
  if (cols === pitch) {
    to.set(x.subarray(0, rows * cols));
    return;
  }
  for (let r = 0; r < rows; r++) {
    to.set(x.subarray(r * cols, r * cols + cols), r * pitch);
    if (stride > cols) to.fill(0, r * pitch + cols, r * pitch + stride);
  }
}

const batches = new WeakMap<GPUDevice, NormsBatch>();

export function normsBatch(device: GPUDevice): NormsBatch {
  let b = batches.get(device);
  if (!b) batches.set(device, (b = new NormsBatch(device)));
  return b;
}
