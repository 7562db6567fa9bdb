/**
 * global-prune's per-tensor step on WebGPU: prune-mask.wgsl with the threshold and cut from the
 * plan (no selection passes: the plan already made the selection across all tensors). Only the
 * mask bytes come back; the pruned weights are the input with the pruned ones zeroed (+0), made
 * here as the reference makes them: the input is copied while the kernel runs, and zeroed from
 * the mask once it is back (shared/pruned-copy.ts). A tensor over one storage binding goes in
 * chunks of whole spans, each told where it starts in the flat index the cut is counted in.
 */
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import { channelChunking } from '../shared/channel-chunks';
import type { CompressionParts, WeightTensor } from '../types';
import type { GlobalPruneOptions, GlobalPrunePlan } from './meta';
import { planGlobalPrune } from './plan';
import { zeroPruned } from '../shared/pruned-copy';
import PRUNE_MASK_WGSL from './prune-mask.wgsl?raw';

/** Must match prune-mask.wgsl; chunks are whole spans (a multiple of 4 weights). */
const WORKGROUP_SIZE = 64;
/** 64 words of 4 weights a thread, at most (prune-mask.wgsl says why) */
const WEIGHTS_PER_THREAD = 4 * 64;
const SPAN = 65_536;

export async function globalPruneGpu(device: GPUDevice, tensor: WeightTensor, options: GlobalPruneOptions, plan?: GlobalPrunePlan): Promise<CompressionParts> {
  const { threshold, cutEnd } = plan ?? planGlobalPrune([tensor.data], options.ratio)[0];
  const { data } = tensor;
  const n = data.length;
  // over one storage binding: chunks of whole spans of the flat index
  const limit = channelChunking.maxBindingBytes || Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const per = n * 4 <= limit ? n : Math.max(1, Math.floor(limit / 4 / SPAN)) * SPAN;
  const run = new KernelRun(device, 'global-prune');
  try {
    const pipeline = pipelineFor(device, 'global-prune mask', PRUNE_MASK_WGSL);
    const parts = [];
    for (let from = 0; from < n; from += per) {
      const to = Math.min(n, from + per);
      // padded to a vec4 (zeros, masked off in the kernel)
      const weights = await run.upload(`weights ${from}`, data.subarray(from, to), Math.ceil((to - from) / 4) * 16);
      const mask = run.storage(`mask ${from}`, to - from);
      run.dispatch(pipeline, [run.uniform('global-prune sizes', [to - from, from, threshold, cutEnd]), weights, mask], Math.ceil((to - from) / WEIGHTS_PER_THREAD / WORKGROUP_SIZE));
      parts.push({ from, to, mask });
    }
    if (parts.length > 1) channelChunking.chunks = parts.length;
    // submitted here; the copy runs while the kernel does
    const reading = run.finish(parts.map((p) => ({ buffer: p.mask, bytes: p.to - p.from })));
    const dequantized = new Float32Array(data);
    const read = await reading;
    const mask = parts.length === 1 ? new Uint8Array(read[0]) : new Uint8Array(n);
    if (parts.length > 1) parts.forEach((p, c) => mask.set(new Uint8Array(read[c]), p.from));
    zeroPruned(dequantized, mask);
    return { dequantized, mask };
  } finally {
    run.close();
  }
}
