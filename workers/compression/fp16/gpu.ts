/**
 * fp16 on WebGPU: fp16-round.wgsl (integer bit math, no shader-f16 needed) makes the halves and
 * only they come back (2 bytes a weight). The CPU takes the stats' sums and the clamped count from
 * them (halves.ts, the reference's own pass) while the GPU rounds the next chunks; the f32 values
 * are looked up only if `dequantized` is read, as on the TS path.
 */
import { chunkPipeline, chunkThreads, gridSettings } from '../shared/gpu';
import { poolFor, type Pooled } from '../shared/buffer-pool';
import { KernelRun } from '../shared/kernel-run';
import { withLazyDequantized, type CompressionParts, type WeightTensor } from '../types';
import { addHalfTotals, dequantizeHalves, emptyTotals } from './halves';
import ROUND_WGSL from './fp16-round.wgsl?raw';

/** Must match WORKGROUP_SIZE and the weights a thread (PER_THREAD) in fp16-round.wgsl. */
const WORKGROUP_SIZE = 256;
const PER_THREAD = 16;

/**
 * Debug hook (e2e/harness/kernel-speed.ts ?debug=1): when `on`, each call records where its time
 * went (ms, summed over chunks; 'readback' is the wait for each chunk's results, so with chunks
 * in flight it holds GPU work too). With `split` the tensor goes as one chunk whose upload and
 * dispatch are each submitted alone and awaited, which costs time of its own.
 */
export const fp16Timing: { on: boolean; split: boolean; phases: Record<string, number>[] } = { on: false, split: false, phases: [] };

/**
 * Weights a chunk (a multiple of PER_THREAD): see fp16Gpu. 2^18 (1 MiB of f32) was the fastest of
 * 2^17 … 2^24 on the 768 x 3072 weight (SwiftShader, interleaved A/B, with 8 weights a thread).
 */
const CHUNK_WEIGHTS = 1 << 18;

/**
 * The tensor goes through in chunks of CHUNK_WEIGHTS, each its own upload, dispatch and readback,
 * all submitted before the first result is awaited: the CPU fills the next chunk's upload and
 * takes the finished chunks' sums while the GPU rounds the others, so the kernel time
 * is about the GPU's part plus one chunk of CPU work, not the sum of both. (On SwiftShader the
 * GPU's part is CPU threads of the GPU process, so this overlap is what two cores allow.)
 */
export async function fp16Gpu(device: GPUDevice, tensor: WeightTensor): Promise<CompressionParts> {
  const n = tensor.data.length;
  // the kernel harness's smaller chunks (gridSettings.chunkWeights) put several in flight on small tensors
  const per = fp16Timing.split ? Math.ceil(n / PER_THREAD) * PER_THREAD : Math.max(PER_THREAD, Math.floor((gridSettings.chunkWeights || CHUNK_WEIGHTS) / PER_THREAD) * PER_THREAD);
  // the kernel's fixed array size (fp16-round.wgsl CHUNK_THREADS): a whole chunk, or for a tensor
  // below one the next power of two, so small tensors share a few pipelines
  const threads = n >= per ? per / PER_THREAD : chunkThreads(n, PER_THREAD);
  const pipeline = chunkPipeline(device, 'fp16-round', ROUND_WGSL, threads);
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
  const weightBits = new Uint32Array(tensor.data.buffer, tensor.data.byteOffset, n);
  const totals = emptyTotals();
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
      // PER_THREAD weights a thread (fp16-round.wgsl), padded with zeros to the kernel's threads
      const weights = await run.upload('weights', tensor.data.subarray(start, start + count), threads * PER_THREAD * 4);
      await mark('upload_cpu');
      await mark('upload_gpu', run);
      const out = run.storage('half codes', threads * PER_THREAD * 2);
      run.dispatch(pipeline, [weights, out], Math.ceil(threads / WORKGROUP_SIZE));
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
      const count = Math.min(per, n - start);
      const halves = new Uint16Array(readbacks[k].buffer.getMappedRange(), 0, count);
      codes.set(halves, start);
      addHalfTotals(totals, weightBits, start, halves, count);
      readbacks[k].buffer.unmap();
      await mark('cpu_sums');
    }
    if (fp16Timing.on) fp16Timing.phases.push(t);
    const { clamped, ...sums } = totals;
    return withLazyDequantized({ codes, clamped, sums }, n, () => dequantizeHalves(codes));
  } finally {
    await Promise.allSettled(pending); // no buffer goes back to the pool while a readback maps it
    for (const r of readbacks) {
      if (r.buffer.mapState === 'mapped') r.buffer.unmap();
      pool.give(r);
    }
    for (const run of runs) run.close();
  }
}
