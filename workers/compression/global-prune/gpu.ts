/**
 * global-prune's per-tensor step on WebGPU: magnitude-prune's apply-mask.wgsl, with the threshold
 * and cut from the plan written straight into its state buffer (no selection passes: the plan
 * already made the selection across all tensors). A tensor over one storage binding goes in chunks
 * of whole spans, each told where it starts in the flat index the cut is counted in.
 */
import APPLY_WGSL from '../magnitude-prune/apply-mask.wgsl?raw';
import STATE_WGSL from '../magnitude-prune/select-state.wgsl?raw';
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import { channelChunking } from '../shared/channel-chunks';
import type { CompressionParts, WeightTensor } from '../types';
import type { GlobalPruneOptions, GlobalPrunePlan } from './meta';
import { planGlobalPrune } from './plan';

/** Must match apply-mask.wgsl and select-state.wgsl (SPAN). */
const WORKGROUP_SIZE = 64;
const ELEMENTS_PER_THREAD = 16;
const SPAN = 65_536;

export async function globalPruneGpu(device: GPUDevice, tensor: WeightTensor, options: GlobalPruneOptions, plan?: GlobalPrunePlan): Promise<CompressionParts> {
  const { threshold, cutEnd } = plan ?? planGlobalPrune([tensor.data], options.ratio)[0];
  const n = tensor.data.length;
  // over one storage binding: chunks of whole spans of the flat index (apply-mask compares the cut with it)
  const limit = channelChunking.maxBindingBytes || Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const per = n * 4 <= limit ? n : Math.max(1, Math.floor(limit / 4 / SPAN)) * SPAN;
  const run = new KernelRun(device, 'global-prune');
  try {
    // SelectState: digit, low (= T), below, k, cut_end; apply-mask reads low and cut_end
    const state = await run.upload('prune state', Uint32Array.from([8, threshold, 0, 0, cutEnd]));
    const pipeline = pipelineFor(device, 'prune-apply-mask', `${STATE_WGSL}\n${APPLY_WGSL}`);
    const parts = [];
    for (let from = 0; from < n; from += per) {
      const to = Math.min(n, from + per);
      const weights = await run.upload(`weights ${from}`, tensor.data.subarray(from, to));
      const mask = run.storage(`mask ${from}`, to - from);
      const sizes = run.uniform('prune sizes', [to - from, 0, from / SPAN, n]);
      run.dispatch(pipeline, [sizes, weights, state, mask], Math.ceil(Math.ceil((to - from) / ELEMENTS_PER_THREAD) / WORKGROUP_SIZE));
      parts.push({ from, to, mask });
    }
    if (parts.length > 1) channelChunking.chunks = parts.length;
    // only the mask bytes come back: the pruned weights are the input with the pruned ones zeroed
    // (+0, as apply-mask.wgsl writes them), made here; reading them back too was five times the bytes
    const read = await run.finish(parts.map((p) => ({ buffer: p.mask, bytes: p.to - p.from })));
    const mask = new Uint8Array(n);
    parts.forEach((p, c) => mask.set(new Uint8Array(read[c]), p.from));
    const dequantized = new Float32Array(n);
    const { data } = tensor;
    for (let f = 0; f < n; f++) if (mask[f]) dequantized[f] = data[f];
    return { dequantized, mask };
  } finally {
    run.close();
  }
}
