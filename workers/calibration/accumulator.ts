/**
 * A running statistic of one layer's inputs (Hessian or column norms), fed batch by batch and
 * read once at the end. Two implementations of one interface: WGSL on the kernel GPU (the
 * statistic stays in a GPU buffer between batches, so only each batch X goes up) and the TS
 * reference (accumulate.ts). They agree within 1e-6 relative (e2e/calibration.spec.ts).
 */
import { dispatch, pipelineFor } from '../compression/shared/gpu';
import { accumulateColAbsSums, accumulateColNorms, accumulateHessian } from './accumulate';
import type { CalibrationNeed } from './types';
import HESSIAN_WGSL from './hessian.wgsl?raw';
import COL_NORMS_WGSL from './col-norms.wgsl?raw';
import COL_ABS_SUMS_WGSL from './col-abs-sums.wgsl?raw';

/** Must match WORKGROUP_SIZE in hessian.wgsl and col-norms.wgsl. */
const WORKGROUP_SIZE = 64;
/** Bytes read back at a time (a multiple of 4; copyBufferToBuffer wants multiples of 4) */
const READBACK_CHUNK = 16 * 2 ** 20;
/** hessian.wgsl: a thread per HESSIAN_TILE × HESSIAN_TILE tile of H on or above the diagonal */
const HESSIAN_TILE = 8;

/** H[j, i] = H[i, j] for j > i: hessian.wgsl sums the tiles on and above the diagonal only (the same products). */
export function mirrorUpper(h: Float32Array, cols: number): void {
  for (let i = 0; i < cols; i++) for (let j = i + 1; j < cols; j++) h[j * cols + i] = h[i * cols + j];
}

/** X (rows, cols) with each row padded with zeros to `stride` columns */
function padRows(x: Float32Array, rows: number, cols: number, stride: number): Float32Array {
  const padded = new Float32Array(rows * stride);
  for (let r = 0; r < rows; r++) padded.set(x.subarray(r * cols, r * cols + cols), r * stride);
  return padded;
}

export interface Accumulator {
  readonly need: CalibrationNeed;
  readonly cols: number;
  /** X (rows, cols) row-major */
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

export class GpuAccumulator implements Accumulator {
  private readonly stat: GPUBuffer;
  /** 'hessian': Σ |X| per column beside it (col-abs-sums.wgsl) */
  private readonly abs?: GPUBuffer;
  absSums?: Float32Array;
  private x?: GPUBuffer;
  private readonly pipeline: GPUComputePipeline;

  constructor(private readonly device: GPUDevice, readonly need: CalibrationNeed, readonly cols: number) {
    const bytes = statLength(need, cols) * 4;
    const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    if (bytes > limit) throw new Error(`a ${need} of ${cols} columns needs ${bytes} bytes, over this GPU's storage limit of ${limit}; use the cpu device`);
    // created zeroed (WebGPU zero-fills new buffers)
    this.stat = device.createBuffer({ label: `calibration ${need}`, size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    this.pipeline = need === 'hessian' ? pipelineFor(device, 'calibration-hessian', HESSIAN_WGSL) : pipelineFor(device, 'calibration-col-norms', COL_NORMS_WGSL);
    if (need === 'hessian') this.abs = device.createBuffer({ label: 'calibration column |x| sums', size: Math.max(16, cols * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  }

  add(x: Float32Array, rows: number): void {
    if (x.length !== rows * this.cols) throw new Error(`expected X of ${rows}×${this.cols}, got ${x.length} values`);
    const tiles = Math.ceil(this.cols / HESSIAN_TILE);
    // hessian.wgsl reads a tile's 8 columns of a row as two vec4: rows padded with zeros to a multiple of 8 columns
    if (this.need === 'hessian' && this.cols % HESSIAN_TILE) x = padRows(x, rows, this.cols, tiles * HESSIAN_TILE);
    const bytes = Math.max(16, x.byteLength);
    if (!this.x || this.x.size < bytes) {
      this.x?.destroy();
      this.x = this.device.createBuffer({ label: 'calibration X', size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    }
    this.device.queue.writeBuffer(this.x, 0, x.buffer, x.byteOffset, x.byteLength);
    const sizes = this.device.createBuffer({ label: 'calibration sizes', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(sizes, 0, new Uint32Array([rows, this.cols, tiles, (tiles * HESSIAN_TILE) / 4]));
    const encoder = this.device.createCommandEncoder({ label: `calibration ${this.need}` });
    const threads = this.need === 'hessian' ? tiles * tiles : this.cols;
    dispatch(this.device, encoder, this.pipeline, [sizes, this.x, this.stat], Math.ceil(threads / WORKGROUP_SIZE));
    // the same (maybe padded) batch, its column |x| sums
    const absSizes = this.abs && this.device.createBuffer({ label: 'calibration |x| sizes', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    if (absSizes) {
      this.device.queue.writeBuffer(absSizes, 0, new Uint32Array([rows, this.cols, x.length / rows, 0]));
      dispatch(this.device, encoder, pipelineFor(this.device, 'calibration-col-abs-sums', COL_ABS_SUMS_WGSL), [absSizes, this.x, this.abs!], Math.ceil(this.cols / WORKGROUP_SIZE));
    }
    this.device.queue.submit([encoder.finish()]);
    sizes.destroy(); // destroyed after the submit that uses it: WebGPU keeps it alive until then
    absSizes?.destroy();
  }

  flush(): Promise<void> {
    return this.device.queue.onSubmittedWorkDone();
  }

  async read(): Promise<Float32Array> {
    const bytes = this.stat.size;
    const stat = new Float32Array(bytes / 4);
    // read back through one small staging buffer, chunk after chunk: a whole-size one (and the copy
    // out of its mapping) doubled the statistic in the GPU process and the worker while it was read
    const chunk = Math.min(bytes, READBACK_CHUNK);
    const staging = this.device.createBuffer({ label: 'calibration readback', size: chunk, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      for (let at = 0; at < bytes; at += chunk) {
        const n = Math.min(chunk, bytes - at);
        const encoder = this.device.createCommandEncoder();
        encoder.copyBufferToBuffer(this.stat, at, staging, 0, n);
        this.device.queue.submit([encoder.finish()]);
        await staging.mapAsync(GPUMapMode.READ, 0, n);
        stat.set(new Float32Array(staging.getMappedRange(0, n)), at / 4);
        staging.unmap();
      }
      if (this.need === 'hessian') {
        mirrorUpper(stat, this.cols);
        const e = this.device.createCommandEncoder();
        e.copyBufferToBuffer(this.abs!, 0, staging, 0, this.cols * 4);
        this.device.queue.submit([e.finish()]);
        await staging.mapAsync(GPUMapMode.READ, 0, this.cols * 4);
        this.absSums = new Float32Array(staging.getMappedRange(0, this.cols * 4).slice(0));
        staging.unmap();
      }
      return stat;
    } finally {
      staging.destroy();
      this.dispose();
    }
  }

  dispose(): void {
    this.stat.destroy();
    this.abs?.destroy();
    this.x?.destroy();
  }
}
