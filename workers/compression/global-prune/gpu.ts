/**
 * global-prune's per-tensor step on WebGPU: the mask from the threshold and cut of the plan (no
 * selection passes: the plan already made the selection across all tensors), by prune-above.wgsl
 * (one compare a weight) in every chunk the tie cut does not cross, and by prune-mask.wgsl (the
 * general rule) in the one it crosses, if any: 768 × 3,072 on SwiftShader, 8 interleaved runs of
 * 7 rounds at idle, median WGSL 13.0-18.1 ms against 17.0-20.4 with prune-mask.wgsl in every
 * chunk (TS 19.4-22.6). Only the
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
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import { channelChunking } from '../shared/channel-chunks';
import { zeroPruned } from '../shared/pruned-copy';
import type { CompressionParts, WeightTensor } from '../types';
import type { GlobalPruneOptions, GlobalPrunePlan } from './meta';
import { planGlobalPrune } from './plan';
import PRUNE_MASK_WGSL from './prune-mask.wgsl?raw';
import PRUNE_ABOVE_WGSL from './prune-above.wgsl?raw';

/** Must match prune-above.wgsl and prune-mask.wgsl: their workgroup size and the weights a thread. */
const WORKGROUP_SIZE = 256;
const PER_THREAD = 16;
const SPAN = 65_536;
const PIPELINE_SPANS = 8;

/**
 * A chunk the tie cut does not cross keeps exactly the weights whose key is at least T' (T when
 * the cut ends at or before the chunk, T + 1 when at or after its end); undefined for the chunk
 * it crosses, which takes the general rule (prune-mask.wgsl).
 */
function keptFrom(threshold: number, cutEnd: number, from: number, to: number): number | undefined {
  if (cutEnd <= from) return threshold;
  if (cutEnd >= to) return threshold + 1;
  return undefined;
}

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
      // the kernels' fixed array size: a whole chunk's threads, or for a smaller one the next
      // power of two, so small tensors share a few pipelines; weights padded with zeros to it
      const threads = 2 ** Math.ceil(Math.log2(Math.ceil((to - from) / PER_THREAD)));
      const weights = await run.upload(`weights ${from}`, data.subarray(from, to), threads * PER_THREAD * 4);
      const mask = run.storage(`mask ${from}`, threads * PER_THREAD);
      const sized = (wgsl: string) => wgsl.replace(/const CHUNK_THREADS: u32 = \d+u;/, `const CHUNK_THREADS: u32 = ${threads}u;`);
      const above = keptFrom(threshold, cutEnd, from, to);
      if (above !== undefined) {
        run.dispatch(pipelineFor(device, `global-prune above ${threads}`, sized(PRUNE_ABOVE_WGSL)), [run.uniform('global-prune kept from', [above]), weights, mask], Math.ceil(threads / WORKGROUP_SIZE));
      } else {
        run.dispatch(pipelineFor(device, `global-prune mask ${threads}`, sized(PRUNE_MASK_WGSL)), [run.uniform('global-prune rule', [from, threshold, cutEnd]), weights, mask], Math.ceil(threads / WORKGROUP_SIZE));
      }
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
