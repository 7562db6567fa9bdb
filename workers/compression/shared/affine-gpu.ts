/**
 * int8-channel, int4-group and rtn on WebGPU: affine-quantize.wgsl, one pass in which each thread
 * owns whole groups (their range, scale and zero point, then their codes), taking the stats' sums
 * as it goes (one partial per thread).
 *
 * What comes back is what the packed form stores: codes, scales, zero points, and the sums. The
 * dequantized f32 weights stay on the GPU's side unwritten: a packed make needs them only for the
 * f32 twin, a following method or a form stored f32, and the host makes them from the codes when
 * asked (the method's gpu.ts, withLazyDequantized), bit for bit the kernel's product. Reading them
 * back was 4 bytes a weight through a map, and the stats a second pass over them on the CPU.
 *
 * A tensor goes through in chunks of whole groups (stored rows), each chunk one submit with its
 * own readback, two chunks in flight: while the GPU quantizes chunk j + 1, the CPU copies chunk j's
 * codes out of its mapped buffer. The weights go up through mapped staging buffers from the pool
 * (already faulted in, filled straight from the caller's array, rows padded in place). So the GPU
 * holds two chunks' buffers (the same sizes for every tensor, reused from the pool) instead of
 * several copies of the whole tensor. Rows are padded to whole vec4s on the GPU (padded-rows.ts).
 * The scales, zero points and partial sums of every chunk land in one buffer, read back once.
 */
import type { LinearView } from '../layout';
import type { WeightTensor } from '../types';
import { labError } from '../../errors';
import { MIN_SCALE } from './affine';
import { dispatch, f32Bits, gridSettings, pipelineFor, submitChecked } from './gpu';
import { poolFor, type Pooled } from './buffer-pool';
import { paddedStride, readRows, writeRows } from './padded-rows';
import type { ErrorSums } from '../stats';
import { addPartials, PARTIAL_BYTES } from './partial-sums';
import QUANTIZE_WGSL from './affine-quantize.wgsl?raw';

/** Must match WORKGROUP_SIZE in affine-quantize.wgsl. */
const WORKGROUP_SIZE = 64;
/**
 * Weights per chunk: 16 MB of f32, so a GPT-2 vocabulary-sized weight (38.6 M) is 12 chunks and
 * every smaller block weight one; the buffers of two chunks in flight stay under 90 MB.
 */
export const CHUNK_WEIGHTS = 4 * 2 ** 20;

export interface GpuGridSpec {
  /** for the buffers' labels */
  label: string;
  /** symmetric: scale from max|w|, zero point 0, signed codes */
  symmetric: boolean;
  /** groups along the input: a power of two, or 0 for one group per channel */
  groupSize: number;
  /** fround(1 / levels) */
  invLevels: number;
  qmin: number;
  qmax: number;
}

export interface AffineReadback {
  /** raw code bytes, one per element */
  codeBytes: ArrayBuffer;
  /** (out, nGroups) */
  scales: Float32Array;
  zeroPoints: Uint32Array;
  /** the stats' sums over the tensor (stats.ts), from the threads' partials */
  sums: ErrorSums;
}

const align4 = (bytes: number) => Math.max(4, Math.ceil(bytes / 4) * 4);

/** Stored rows per chunk: whole groups (in_out: a multiple of the group size along the rows), about CHUNK_WEIGHTS weights. */
export function rowsPerChunk(rows: number, cols: number, inOut: boolean, groupSize: number, chunkWeights = CHUNK_WEIGHTS): number {
  // in_out with one group per channel: a group spans every row, the tensor is one chunk
  if (inOut && groupSize === 0) return rows;
  const step = inOut ? groupSize : 1;
  const fit = Math.floor(chunkWeights / cols / step) * step;
  return Math.min(rows, Math.max(step, fit));
}

/** Compiles the pipeline ahead of a make (compression/warm-kernels.ts); creating it is not waiting for it. */
export function warmAffinePipeline(device: GPUDevice): void {
  pipelineFor(device, 'affine-quantize', QUANTIZE_WGSL);
}

export async function quantizeAffineGpu(device: GPUDevice, tensor: WeightTensor, view: LinearView, spec: GpuGridSpec): Promise<AffineReadback> {
  const n = tensor.data.length;
  const [rows, cols] = tensor.shape;
  const groupSize = spec.groupSize === 0 ? view.inDim : spec.groupSize;
  // out_in groups must start on a vec4 of their row (affine-quantize.wgsl)
  if (spec.groupSize !== 0 && (groupSize % 4 !== 0 || !Number.isInteger(Math.log2(groupSize)))) throw new Error(`group size ${groupSize} is not a power of two >= 4`);
  const nGroups = Math.ceil(view.inDim / groupSize);
  const nParams = view.outDim * nGroups;
  const inOut = tensor.layout === 'in_out';
  const stride = paddedStride(cols);
  const chunkRows = rowsPerChunk(rows, stride, inOut, spec.groupSize, gridSettings.chunkWeights || CHUNK_WEIGHTS);
  const chunkWeights = chunkRows * stride;
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  if (align4(chunkWeights * 4) > limit) {
    throw labError('BadOption', `${spec.label}: ${chunkWeights * 4} bytes exceed this GPU's storage binding limit of ${limit} bytes; use the cpu device`);
  }
  const pool = poolFor(device);
  const taken: Pooled[] = [];
  const temporary: GPUBuffer[] = [];
  const take = (label: string, usage: number, bytes: number) => {
    const p = pool.take(label, usage, align4(bytes));
    taken.push(p);
    return p.buffer;
  };
  const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const readUsage = GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST;
  const uniform = (label: string, fields: readonly number[]) => {
    const words = new Int32Array(Math.max(4, Math.ceil(fields.length / 4) * 4));
    fields.forEach((v, k) => (words[k] = v));
    const b = device.createBuffer({ label, size: words.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(b, 0, words);
    temporary.push(b);
    return b;
  };
  const pipeline = pipelineFor(device, 'affine-quantize', QUANTIZE_WGSL);
  const codes = new Uint8Array(n);
  const inFlight: Promise<void>[] = [];
  const checks: Promise<void>[] = [];
  let failed = false;
  const nChunks = Math.ceil(rows / chunkRows);
  const chunks = Array.from({ length: nChunks }, (_, c) => {
    const r0 = c * chunkRows;
    const r1 = Math.min(rows, r0 + chunkRows);
    const tiles = inOut ? stride / 4 : r1 - r0;
    const groups = Math.ceil((inOut ? r1 - r0 : view.inDim) / groupSize);
    return { r0, r1, tiles, groups, workgroups: Math.ceil((tiles * groups) / WORKGROUP_SIZE) };
  });
  const nPartials = chunks.reduce((a, c) => a + c.workgroups * WORKGROUP_SIZE, 0);
  const paramBytes = nParams * 8;
  try {
    const scales = take(`${spec.label} scales`, storage, nParams * 4);
    const zeroPoints = take(`${spec.label} zero points`, storage, nParams * 4);
    const partials = take(`${spec.label} partial sums`, storage, nPartials * PARTIAL_BYTES);
    const paramsRead = take(`${spec.label} params readback`, readUsage, paramBytes + nPartials * PARTIAL_BYTES);
    // two sets of chunk buffers: chunk j + 1 runs while chunk j is read back; one size for every
    // tensor that fits a chunk, so a variant's weights all reuse the same pooled buffers
    const capacity = Math.max(chunkWeights, gridSettings.chunkWeights || CHUNK_WEIGHTS);
    // (one set when one chunk: a staging buffer left unused would go back to the pool still mapped)
    const sets = (nChunks > 1 ? [0, 1] : [0]).map((k) => {
      const staging = pool.take(`${spec.label} weights staging ${k}`, GPUBufferUsage.MAP_WRITE | GPUBufferUsage.COPY_SRC, capacity * 4);
      taken.push(staging);
      return {
        staging,
        // a pooled staging buffer comes back mapped (buffer-pool.ts); mapped again here only for a third chunk
        stagingMapped: staging.mapped ?? Promise.resolve(),
        weights: take(`${spec.label} weights ${k}`, storage, capacity * 4),
        codes: take(`${spec.label} codes ${k}`, storage, capacity),
        readback: take(`${spec.label} readback ${k}`, readUsage, align4(capacity)),
      };
    });
    let paramsMapped: Promise<void> | undefined;
    let partialBase = 0;
    for (let c = 0; c < nChunks; c++) {
      const set = sets[c % 2];
      const { r0, r1, tiles, groups, workgroups } = chunks[c];
      // the set's previous chunk must be copied out before its buffers are reused
      if (c >= 2) await inFlight[c - 2];
      const padded = (r1 - r0) * stride;
      // where this chunk's (channel, group) params sit in the tensor's (out, nGroups) arrays
      const oBase = inOut ? 0 : r0;
      const gBase = inOut ? r0 / groupSize : 0;
      await set.stagingMapped;
      writeRows(set.staging.buffer.getMappedRange(0, padded * 4), tensor.data, r0, r1, cols, stride);
      set.staging.buffer.unmap();
      const encoder = device.createCommandEncoder({ label: `${spec.label} chunk ${c}` });
      encoder.copyBufferToBuffer(set.staging.buffer, 0, set.weights, 0, padded * 4);
      const params = uniform('affine-quantize params', [
        tiles, groups, r1 - r0, stride / 4, cols, groupSize, inOut ? 1 : 0, spec.symmetric ? 1 : 0,
        f32Bits(spec.invLevels), f32Bits(MIN_SCALE), spec.qmin, spec.qmax, oBase, gBase, nGroups, workgroups, partialBase,
      ]);
      partialBase += workgroups * WORKGROUP_SIZE;
      dispatch(device, encoder, pipeline, [params, set.weights, scales, zeroPoints, set.codes, partials], workgroups);
      encoder.copyBufferToBuffer(set.codes, 0, set.readback, 0, align4(padded));
      if (c === nChunks - 1) {
        // every chunk's params and partial sums, in the last chunk's submit
        encoder.copyBufferToBuffer(scales, 0, paramsRead, 0, nParams * 4);
        encoder.copyBufferToBuffer(zeroPoints, 0, paramsRead, nParams * 4, nParams * 4);
        encoder.copyBufferToBuffer(partials, 0, paramsRead, paramBytes, nPartials * PARTIAL_BYTES);
      }
      checks.push(submitChecked(device, spec.label, encoder, [pipeline]));
      if (c + 2 < nChunks) set.stagingMapped = set.staging.buffer.mapAsync(GPUMapMode.WRITE, 0, set.staging.buffer.size);
      if (c === nChunks - 1) paramsMapped = paramsRead.mapAsync(GPUMapMode.READ, 0, paramBytes + nPartials * PARTIAL_BYTES);
      inFlight.push(
        set.readback.mapAsync(GPUMapMode.READ, 0, align4(padded)).then(() => {
          readRows(codes, set.readback.getMappedRange(0, align4(padded)), 0, r0, r1 - r0, cols, stride);
          set.readback.unmap();
        }),
      );
    }
    await Promise.all([...inFlight, paramsMapped]);
    await Promise.all(checks); // a compile error or binding mismatch: nothing read back counts
    const mapped = paramsRead.getMappedRange(0, paramBytes + nPartials * PARTIAL_BYTES);
    const outScales = new Float32Array(mapped.slice(0, nParams * 4));
    const outZeroPoints = new Uint32Array(mapped.slice(nParams * 4, paramBytes));
    const sums = addPartials(new DataView(mapped, paramBytes, nPartials * PARTIAL_BYTES), nPartials);
    paramsRead.unmap();
    return { codeBytes: codes.buffer, scales: outScales, zeroPoints: outZeroPoints, sums };
  } catch (e) {
    failed = true;
    for (const p of inFlight) p.catch(() => undefined);
    throw e;
  } finally {
    // after a failure a buffer may still be mapped or waiting for a map: not fit for the pool
    for (const p of taken) {
      if (failed) p.buffer.destroy();
      else pool.give(p);
    }
    for (const b of temporary) b.destroy();
  }
}
