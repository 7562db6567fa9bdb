/**
 * A running statistic of one layer's inputs (Hessian or column norms), fed batch by batch and
 * read once at the end. Two implementations of one interface: WGSL on the kernel GPU (the
 * statistic stays in a GPU buffer between batches, so only each batch X goes up; a device's
 * column norms go up together, norms-batch.ts) and the TS reference (accumulate.ts). They agree
 * within 1e-6 relative (e2e/calibration.spec.ts).
 */
import { poolFor, type Pooled } from '../compression/shared/buffer-pool';
import { dispatch, pipelineFor, submitChecked } from '../compression/shared/gpu';
import { accumulateColAbsSums, accumulateColNorms, accumulateHessian } from './accumulate';
import { normsBatch, type NormsTarget } from './norms-batch';
import type { CalibrationNeed } from './types';
import HESSIAN_WGSL from './hessian.wgsl?raw';
import COL_ABS_SUMS_WGSL from './col-abs-sums.wgsl?raw';

/** Must match WORKGROUP_SIZE in hessian.wgsl. */
const WORKGROUP_SIZE = 64;
/** Must match WORKGROUP_SIZE in col-abs-sums.wgsl (192 threads at 768 columns: 12 workgroups for SwiftShader's cores) */
const COLUMN_WORKGROUP_SIZE = 16;
/** Bytes read back at a time (a multiple of 4; copyBufferToBuffer wants multiples of 4) */
const READBACK_CHUNK = 16 * 2 ** 20;
/** Readback staging up to this size comes from the kernels' pool (768-wide Hessians: 2.4 MB) */
const POOLED_READBACK_BYTES = 4 * 2 ** 20;
/** hessian.wgsl: a thread per HESSIAN_TILE × HESSIAN_TILE tile of H on or above the diagonal */
const HESSIAN_TILE = 8;

const absPipeline = (device: GPUDevice) => pipelineFor(device, 'calibration-col-abs-sums', COL_ABS_SUMS_WGSL);

/** H[j, i] = H[i, j] for j > i: hessian.wgsl sums the tiles on and above the diagonal only (the same products). */
export function mirrorUpper(h: Float32Array, cols: number): void {
  for (let i = 0; i < cols; i++) for (let j = i + 1; j < cols; j++) h[j * cols + i] = h[i * cols + j];
}

/** X (rows, cols) with each row padded with zeros to `stride` columns */
export function padRows(x: Float32Array, rows: number, cols: number, stride: number): Float32Array {
  const padded = new Float32Array(rows * stride);
  for (let r = 0; r < rows; r++) padded.set(x.subarray(r * cols, r * cols + cols), r * stride);
  return padded;
}

export interface Accumulator {
  readonly need: CalibrationNeed;
  readonly cols: number;
  /** X (rows, cols) row-major; unchanged until the next flush() or read() (a GPU 'norms' accumulator uploads it then, norms-batch.ts) */
  add(x: Float32Array, rows: number): void;
  /** the statistic: (cols, cols) for 'hessian', (cols) for 'norms'; the accumulator is spent */
  read(): Promise<Float32Array>;
  /** 'hessian' only, set by read(): Σ_r |X[r, j]| (cols), AWQ's activation size */
  absSums?: Float32Array;
  /** resolves when every batch added so far is in the statistic */
  flush(): Promise<void>;
  /** frees its memory without reading (a cancelled or failed pass) */
  dispose(): void;
}

export function statLength(need: CalibrationNeed, cols: number): number {
  return need === 'hessian' ? cols * cols : cols;
}

export class CpuAccumulator implements Accumulator {
  private readonly stat: Float32Array;
  absSums?: Float32Array;
  constructor(readonly need: CalibrationNeed, readonly cols: number) {
    this.stat = new Float32Array(statLength(need, cols));
    if (need === 'hessian') this.absSums = new Float32Array(cols);
  }
  add(x: Float32Array, rows: number): void {
    if (this.need === 'hessian') {
      accumulateHessian(this.stat, x, rows, this.cols);
      accumulateColAbsSums(this.absSums!, x, rows, this.cols);
    } else accumulateColNorms(this.stat, x, rows, this.cols);
  }
  async read(): Promise<Float32Array> {
    return this.stat;
  }
  async flush(): Promise<void> {}
  dispose(): void {}
}

export class GpuAccumulator implements Accumulator, NormsTarget {
  readonly stat: GPUBuffer;
  /** 'hessian': Σ |X| per column beside it (col-abs-sums.wgsl) */
  private readonly abs?: GPUBuffer;
  absSums?: Float32Array;
  /** X's row length on the GPU: padded with zeros to a multiple of 8 columns ('hessian') or 4 ('norms') */
  readonly stride: number;
  /** 'hessian': the sizes each kernel reads, written before every batch (queue order: each dispatch sees its own) */
  private readonly sizes?: GPUBuffer;
  private readonly absSizes?: GPUBuffer;
  private readonly pipeline?: GPUComputePipeline;
  disposed = false;
  /** the submits' checks (gpu.ts submitChecked) not yet awaited */
  private checks: Promise<void>[] = [];

  constructor(readonly device: GPUDevice, readonly need: CalibrationNeed, readonly cols: number) {
    this.stride = Math.ceil(cols / (need === 'hessian' ? HESSIAN_TILE : 4)) * (need === 'hessian' ? HESSIAN_TILE : 4);
    const bytes = (need === 'hessian' ? cols * cols : this.stride) * 4;
    const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    if (bytes > limit) throw new Error(`a ${need} of ${cols} columns needs ${bytes} bytes, over this GPU's storage limit of ${limit}; use the cpu device`);
    // created zeroed (WebGPU zero-fills new buffers)
    this.stat = device.createBuffer({ label: `calibration ${need}`, size: Math.max(16, bytes), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    if (need === 'norms') {
      // its batches go up with the device's other column norms, each X in a texture of stride / 4 texels a row (norms-batch.ts)
      if (this.stride / 4 > device.limits.maxTextureDimension2D) throw new Error(`column norms of ${cols} columns need a texture ${this.stride / 4} texels wide, over this GPU's limit of ${device.limits.maxTextureDimension2D}; use the cpu device`);
      return;
    }
    this.pipeline = pipelineFor(device, 'calibration-hessian', HESSIAN_WGSL);
    const uniform = (label: string) => device.createBuffer({ label, size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.sizes = uniform(`calibration ${need} sizes`);
    this.abs = device.createBuffer({ label: 'calibration column |x| sums', size: this.stride * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    this.absSizes = uniform('calibration |x| sizes');
    batchBuffer(device).users++;
  }

  add(x: Float32Array, rows: number): void {
    if (x.length !== rows * this.cols) throw new Error(`expected X of ${rows}×${this.cols}, got ${x.length} values`);
    if (this.disposed) throw new Error(`calibration ${this.need}: add after the accumulator was read or disposed`);
    if (this.need === 'norms') {
      if (rows > 0) normsBatch(this.device).add(this, x, rows);
      return;
    }
    // the kernels read a row's columns 4 (col-abs-sums) or 8 (hessian's tile) at a time: rows padded with zeros
    if (this.stride !== this.cols) x = padRows(x, rows, this.cols, this.stride);
    const xBuffer = batchBuffer(this.device).fit(this.device, Math.max(16, x.byteLength));
    this.device.queue.writeBuffer(xBuffer, 0, x.buffer, x.byteOffset, x.byteLength);
    const encoder = this.device.createCommandEncoder({ label: `calibration ${this.need}` });
    const vec4s = this.stride / 4;
    const tiles = this.stride / HESSIAN_TILE;
    this.device.queue.writeBuffer(this.sizes!, 0, new Uint32Array([rows, this.cols, tiles, vec4s]));
    dispatch(this.device, encoder, this.pipeline!, [this.sizes!, xBuffer, this.stat], Math.ceil((tiles * tiles) / WORKGROUP_SIZE));
    // the same padded batch, its column |x| sums
    this.device.queue.writeBuffer(this.absSizes!, 0, new Uint32Array([rows, vec4s, 0, 0]));
    dispatch(this.device, encoder, absPipeline(this.device), [this.absSizes!, xBuffer, this.abs!], Math.ceil(vec4s / COLUMN_WORKGROUP_SIZE));
    // checked (a WGSL or binding error rejects flush or the read, naming the kernel)
    this.track(submitChecked(this.device, `calibration-${this.need}`, encoder, [this.pipeline!, absPipeline(this.device)]));
  }

  track(check: Promise<void>): void {
    this.checks.push(check);
  }

  /** Sends what was added and waits for the GPU to have done it (a 'norms' flush sends every column-norm accumulator's batches on the device: norms-batch.ts). */
  async flush(): Promise<void> {
    await (this.need === 'norms' ? normsBatch(this.device).done() : this.device.queue.onSubmittedWorkDone());
    await this.checked();
  }

  /** resolves when every batch added so far is submitted (the column norms' go up at a flush or read) */
  submitted(): Promise<void> {
    return this.need === 'norms' ? normsBatch(this.device).send() : Promise.resolve();
  }

  /** resolves when WebGPU found nothing wrong with the batches submitted so far, else rejects with 'GpuKernelFailed' */
  async checked(): Promise<void> {
    await Promise.all(this.checks.splice(0));
  }

  async read(): Promise<Float32Array> {
    return (await readAccumulators([this]))[0];
  }

  /** Where read() copies the statistic (and 'hessian''s |x| sums, set on absSums) from, and what it does after. */
  readParts(): { parts: { buffer: GPUBuffer; to: Float32Array }[]; finish: () => Float32Array } {
    const stat = new Float32Array(statLength(this.need, this.cols));
    const parts = [{ buffer: this.stat, to: stat }];
    if (this.need === 'hessian') parts.push({ buffer: this.abs!, to: (this.absSums = new Float32Array(this.cols)) });
    return {
      parts,
      finish: () => {
        if (this.need === 'hessian') mirrorUpper(stat, this.cols);
        return stat;
      },
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stat.destroy();
    this.abs?.destroy();
    this.sizes?.destroy();
    this.absSizes?.destroy();
    if (this.need === 'hessian') batchBuffer(this.device).leave(this.device);
    else normsBatch(this.device).drop(this);
  }
}

/**
 * Every accumulator's statistic (read() of each; all are spent). The GPU ones of a device come
 * back together: one wait for their batches, then their statistics' concatenation through one
 * staging buffer in READBACK_CHUNK pieces, one map each (a pass's 48 column norms of the 124 M
 * shape in one map where each layer input took its own wait and map, 1-3 ms apiece).
 */
export async function readAccumulators(accs: readonly Accumulator[]): Promise<Float32Array[]> {
  const out: Float32Array[] = new Array(accs.length);
  const byDevice = new Map<GPUDevice, number[]>();
  try {
    for (let j = 0; j < accs.length; j++) {
      const acc = accs[j];
      if (acc instanceof GpuAccumulator) byDevice.set(acc.device, [...(byDevice.get(acc.device) ?? []), j]);
      else out[j] = await acc.read();
    }
    for (const [device, js] of byDevice) {
      const reads = js.map((j) => (accs[j] as GpuAccumulator).readParts());
      // the batches sent and done first, then the map: a mapAsync queued behind them resolved 10-15 ms
      // late in Chromium (calibration_col_norms after the Hessian rows: 17-19 ms against 4.9 so)
      for (const j of js) await (accs[j] as GpuAccumulator).submitted();
      await device.queue.onSubmittedWorkDone();
      for (const j of js) await (accs[j] as GpuAccumulator).checked();
      await readBack(device, reads.flatMap((r) => r.parts));
      js.forEach((j, i) => (out[j] = reads[i].finish()));
    }
    return out;
  } finally {
    for (const acc of accs) acc.dispose();
  }
}

/**
 * The buffer every Hessian accumulator of a device uploads its batch X into (the column norms go
 * up together instead, norms-batch.ts): their adds run one after another on the queue (each
 * writeBuffer lands after the dispatches submitted before it), so one buffer serves a whole pass,
 * where each layer input had its own. It comes from the kernels' pool
 * and goes back there when the last accumulator is done: the next pass, or the next call with the
 * same batch size, finds it instead of new memory (page faults on SwiftShader).
 */
class BatchBuffer {
  users = 0;
  private pooled?: Pooled;

  fit(device: GPUDevice, bytes: number): GPUBuffer {
    if (this.pooled && this.pooled.buffer.size >= bytes) return this.pooled.buffer;
    // the queue may still read the smaller one: the pool only hands it out again to later queue work
    if (this.pooled) poolFor(device).give(this.pooled);
    this.pooled = poolFor(device).take('calibration X', GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, bytes);
    return this.pooled.buffer;
  }

  leave(device: GPUDevice): void {
    if (--this.users > 0 || !this.pooled) return;
    poolFor(device).give(this.pooled);
    this.pooled = undefined;
  }
}

const batchBuffers = new WeakMap<GPUDevice, BatchBuffer>();

function batchBuffer(device: GPUDevice): BatchBuffer {
  let b = batchBuffers.get(device);
  if (!b) batchBuffers.set(device, (b = new BatchBuffer()));
  return b;
}

/**
 * Copy each buffer's first `to.length` floats into `to`, all of them through one staging buffer
 * (pooled when small) of at most READBACK_CHUNK bytes, chunk after chunk of their concatenation: the Hessian
 * and its |x| sums in one map round trip, and never a whole-size copy of a large Hessian (that
 * doubled the statistic in the GPU process and the worker while it was read).
 */
async function readBack(device: GPUDevice, parts: readonly { buffer: GPUBuffer; to: Float32Array }[]): Promise<void> {
  const total = parts.reduce((n, p) => n + p.to.byteLength, 0);
  const size = Math.max(4, Math.min(total, READBACK_CHUNK));
  // a small one is kept for the next read; a large one (a 3,072-wide Hessian's 16 MB chunk) is not left waiting in the pool while the method runs
  const pool = size <= POOLED_READBACK_BYTES ? poolFor(device) : undefined;
  const usage = GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST;
  const staging = pool ? pool.take('calibration readback', usage, size) : { buffer: device.createBuffer({ label: 'calibration readback', size, usage }), key: '' };
  try {
    for (let at = 0; at < total; at += READBACK_CHUNK) {
      const n = Math.min(READBACK_CHUNK, total - at);
      const encoder = device.createCommandEncoder({ label: 'calibration readback' });
      const pieces: { to: Float32Array; from: number; src: number; bytes: number }[] = [];
      let start = 0; // where this part begins in the concatenation
      for (const p of parts) {
        const lo = Math.max(at, start);
        const hi = Math.min(at + n, start + p.to.byteLength);
        if (lo < hi) {
          encoder.copyBufferToBuffer(p.buffer, lo - start, staging.buffer, lo - at, hi - lo);
          pieces.push({ to: p.to, from: lo - at, src: lo - start, bytes: hi - lo });
        }
        start += p.to.byteLength;
      }
      const checked = submitChecked(device, 'calibration readback', encoder, []);
      // both settle before either is acted on: no map left pending on a buffer the pool takes back
      const [map, check] = await Promise.allSettled([staging.buffer.mapAsync(GPUMapMode.READ, 0, n), checked]);
      if (map.status === 'rejected') throw map.reason;
      if (check.status === 'rejected') {
        staging.buffer.unmap();
        throw check.reason;
      }
      const mapped = staging.buffer.getMappedRange(0, n);
      for (const q of pieces) q.to.set(new Float32Array(mapped, q.from, q.bytes / 4), q.src / 4);
      staging.buffer.unmap();
    }
  } finally {
    if (pool) pool.give(staging);
    else staging.buffer.destroy();
  }
}
