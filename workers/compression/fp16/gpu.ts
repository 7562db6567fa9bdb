/**
 * fp16 on WebGPU: fp16-round.wgsl (integer bit math, no shader-f16 needed) makes the halves;
 * only they come back (2 bytes a weight), and the f32 value of each half, which the result also
 * holds, is looked up on the CPU in a 65,536-entry table (inside the kernel time). Reading the
 * f32 values back instead would triple the bytes that cross from the GPU: on SwiftShader that
 * readback cost more than the lookups (e2e/harness/kernel-speed.ts ?floor=1 times both).
 */
import { gridSettings, pipelineFor } from '../shared/gpu';
import { poolFor, type Pooled } from '../shared/buffer-pool';
import { KernelRun } from '../shared/kernel-run';
import type { CompressionParts, WeightTensor } from '../types';
import { HALF_MAX_BITS } from './meta';
import { F32_HALF_MAX, halfToF32Bits } from './reference';
import ROUND_WGSL from './fp16-round.wgsl?raw';

/** Must match WORKGROUP_SIZE in fp16-round.wgsl. */
const WORKGROUP_SIZE = 128;

/**
 * Debug hook (e2e/harness/kernel-speed.ts ?debug=1): when `on`, each call records where its time
 * went (ms, summed over chunks; 'readback' is the wait for each chunk's results, so with chunks
 * in flight it holds GPU work too). With `split` the tensor goes as one chunk whose upload and
 * dispatch are each submitted alone and awaited, which costs time of its own.
 */
export const fp16Timing: { on: boolean; split: boolean; phases: Record<string, number>[] } = { on: false, split: false, phases: [] };

let halfTable: Uint32Array | undefined;
/** The f32 bits of every half, by its bit pattern (256 KiB, made once). */
function f32OfHalf(): Uint32Array {
  if (!halfTable) {
    halfTable = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfToF32Bits(h);
  }
  return halfTable;
}

/**
 * Weights a chunk (a multiple of 8, the weights a thread): see fp16Gpu. 2^18 (1 MiB of f32) was
 * the fastest of 2^17 … 2^24 on the 768 x 3072 weight (SwiftShader, interleaved A/B).
 */
const CHUNK_WEIGHTS = 1 << 18;

/**
 * The tensor goes through in chunks of CHUNK_WEIGHTS, each its own upload, dispatch and readback,
 * all submitted before the first result is awaited: the CPU fills the next chunk's upload and
 * looks up the finished chunks' f32 values while the GPU rounds the others, so the kernel time
 * is about the GPU's part plus one chunk of CPU work, not the sum of both. (On SwiftShader the
 * GPU's part is CPU threads of the GPU process, so this overlap is what two cores allow.)
 */
export async function fp16Gpu(device: GPUDevice, tensor: WeightTensor): Promise<CompressionParts> {
  const n = tensor.data.length;
  // the kernel harness's smaller chunks (gridSettings.chunkWeights) put several in flight on small tensors
  const per = fp16Timing.split ? Math.ceil(n / 8) * 8 : Math.max(8, Math.floor((gridSettings.chunkWeights || CHUNK_WEIGHTS) / 8) * 8);
  const t: Record<string, number> = {};
  let last = performance.now();
  const mark = async (phase: string, run?: KernelRun) => {
    if (!fp16Timing.on) return;
    if (run) {
      if (!fp16Timing.split) return;
      await run.submit();
      await device.queue.onSubmittedWorkDone();
    }
    const now = performance.now();
    t[phase] = (t[phase] ?? 0) + now - last;
    last = now;
  };
  const codes = new Uint16Array(n);
  const dequantized = new Float32Array(n);
  let clamped = 0;
  const pool = poolFor(device);
  const runs: KernelRun[] = [];
  const readbacks: Pooled[] = [];
  const pending: Promise<void>[] = [];
  const checks: Promise<void>[] = [];
  try {
    for (let start = 0; start < n; start += per) {
      const count = Math.min(per, n - start);
      const run = new KernelRun(device, 'fp16');
      runs.push(run);
      // 8 weights a thread (fp16-round.wgsl), padded with zeros to whole threads
      const threads = Math.ceil(count / 8);
      const weights = await run.upload('weights', tensor.data.subarray(start, start + count), threads * 32);
      await mark('upload_cpu');
      await mark('upload_gpu', run);
      const out = run.storage('half codes', threads * 16);
      const uniform = run.uniform('fp16 params', [threads]);
      run.dispatch(pipelineFor(device, 'fp16-round', ROUND_WGSL), [uniform, weights, out], Math.ceil(threads / WORKGROUP_SIZE));
      await mark('dispatch', run);
      // the halves are read straight from the mapped readback (not KernelRun.finish, which copies
      // each output out of the mapping first): one copy and one fresh allocation fewer a chunk
      const bytes = Math.ceil(count / 2) * 4;
      const readback = pool.take('fp16 readback', GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, bytes);
      readbacks.push(readback);
      run.encoder.copyBufferToBuffer(out, 0, readback.buffer, 0, bytes);
      // checked (a WGSL or binding error rejects the call before its halves count)
      checks.push(run.submit());
      pending.push(readback.buffer.mapAsync(GPUMapMode.READ));
      await mark('submit');
    }
    for (let k = 0; k < pending.length; k++) {
      await pending[k];
      await checks[k];
      await mark('readback');
      const start = k * per;
      const halves = new Uint16Array(readbacks[k].buffer.getMappedRange(), 0, Math.min(per, n - start));
      clamped += expand(halves, start, tensor.data, codes, dequantized);
      readbacks[k].buffer.unmap();
      await mark('cpu_unpack');
    }
    if (fp16Timing.on) fp16Timing.phases.push(t);
    return { codes, dequantized, clamped };
  } finally {
    await Promise.allSettled(pending); // no buffer goes back to the pool while a readback maps it
    for (const r of readbacks) {
      if (r.buffer.mapState === 'mapped') r.buffer.unmap();
      pool.give(r);
    }
    for (const run of runs) run.close();
  }
}

/**
 * One chunk's halves into `codes` at `start`, with their f32 values (exact: every half is an f32)
 * into `dequantized`; returns how many of its weights were clamped: those whose half is ±65504
 * and whose weight is above it (65504 itself, or a weight that rounds down to it, is not
 * clamped), as fp16Reference counts them.
 */
function expand(halves: Uint16Array, start: number, weights: Float32Array, codes: Uint16Array, dequantized: Float32Array): number {
  const table = f32OfHalf();
  codes.set(halves, start);
  const bits = new Uint32Array(dequantized.buffer, start * 4, halves.length);
  const weightBits = new Uint32Array(weights.buffer, weights.byteOffset + start * 4, halves.length);
  let clamped = 0;
  for (let k = 0; k < halves.length; k++) {
    const c = halves[k];
    bits[k] = table[c];
    if ((c & 0x7fff) === HALF_MAX_BITS && (weightBits[k] & 0x7fffffff) > F32_HALF_MAX) clamped++;
  }
  return clamped;
}
