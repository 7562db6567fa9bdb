/**
 * global-prune's per-tensor step on WebGPU: prune-mask.wgsl with the threshold and cut from the
 * plan (no selection passes: the plan already made the selection across all tensors). Only the
 * mask bytes come back; the pruned weights are the input with the pruned ones zeroed (+0), made
 * here as the reference makes them: the input is copied while the kernel runs, and zeroed from
 * the mask as it comes back (shared/pruned-copy.ts).
 * The tensor goes in chunks of whole spans of its flat index, each told where it starts (the cut
 * is counted in the whole tensor's flat index), each its own submit and read-back: the CPU
 * uploads and zeroes one chunk while the GPU works on another. At most PIPELINE_SPANS spans a
 * chunk (0.5 M weights): on 768 × 3,072 on SwiftShader, 80 interleaved rounds at load ~22, the
 * best round took 18.9 ms against 22.7 in one piece (TS 21.8), the medians about the same
 * (62 vs 54 ms, TS 94); the best rounds are the nearest this shared machine gets to an idle one.
 * A tensor over one storage binding takes smaller chunks still.
 */
import { chunkPipeline, chunkThreads } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import { channelChunking } from '../shared/channel-chunks';
import { zeroPruned } from '../shared/pruned-copy';
import type { CompressionParts, WeightTensor } from '../types';
import type { GlobalPruneOptions, GlobalPrunePlan } from './meta';
import { planGlobalPrune } from './plan';
import PRUNE_MASK_WGSL from './prune-mask.wgsl?raw';

/** Must match prune-mask.wgsl: its workgroup size and the weights a thread. */
const WORKGROUP_SIZE = 256;
const PER_THREAD = 16;
const SPAN = 65_536;
const PIPELINE_SPANS = 8;

export async function globalPruneGpu(device: GPUDevice, tensor: WeightTensor, options: GlobalPruneOptions, plan?: GlobalPrunePlan): Promise<CompressionParts> {
  const { threshold, cutEnd } = plan ?? planGlobalPrune([tensor.data], options.ratio)[0];
  const { data } = tensor;
  const n = data.length;
  const limit = channelChunking.maxBindingBytes || Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const fits = Math.max(1, Math.floor(limit / 4 / SPAN)) * SPAN;
  const per = Math.min(fits, PIPELINE_SPANS * SPAN);
  const runs: KernelRun[] = [];
  const parts: { from: number; to: number; reading: Promise<ArrayBuffer[]> }[] = [];
  try {
    for (let from = 0; from < n; from += per) {
      const to = Math.min(n, from + per);
      const run = new KernelRun(device, 'global-prune');
      runs.push(run);
      // the kernel's fixed array size: a whole chunk's threads, or for a smaller one the next
      // power of two, so small tensors share a few pipelines; weights padded with zeros to it
      const threads = chunkThreads(to - from, PER_THREAD);
      const weights = await run.upload(`weights ${from}`, data.subarray(from, to), threads * PER_THREAD * 4);
      const mask = run.storage(`mask ${from}`, threads * PER_THREAD);
      run.dispatch(chunkPipeline(device, 'global-prune mask', PRUNE_MASK_WGSL, threads), [run.uniform('global-prune rule', [from, threshold, cutEnd]), weights, mask], Math.ceil(threads / WORKGROUP_SIZE));
      // submitted here: the next chunk goes up while this one runs
      parts.push({ from, to, reading: run.finish([{ buffer: mask, bytes: to - from }]) });
    }
    if (n * 4 > limit) channelChunking.chunks = parts.length;
    const dequantized = new Float32Array(data);
    const mask = new Uint8Array(n);
    for (const p of parts) {
      const [bytes] = await p.reading;
      const part = new Uint8Array(bytes);
      mask.set(part, p.from);
      zeroPruned(dequantized.subarray(p.from, p.to), part);
    }
    return { dequantized, mask };
  } finally {
    // every submitted read-back settles before its buffers go back to the pool
    await Promise.allSettled(parts.map((p) => p.reading));
    for (const run of runs) run.close();
  }
}
