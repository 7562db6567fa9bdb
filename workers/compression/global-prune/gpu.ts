/**
 * global-prune's per-tensor step on WebGPU: magnitude-prune's apply-mask.wgsl, with the threshold
 * and cut from the plan written straight into its state buffer (no selection passes: the plan
 * already made the selection across all tensors).
 */
import APPLY_WGSL from '../magnitude-prune/apply-mask.wgsl?raw';
import STATE_WGSL from '../magnitude-prune/select-state.wgsl?raw';
import { finishMasked } from '../magnitude-prune/gpu';
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import type { CompressionParts, WeightTensor } from '../types';
import type { GlobalPruneOptions, GlobalPrunePlan } from './meta';
import { planGlobalPrune } from './plan';

/** Must match apply-mask.wgsl. */
const WORKGROUP_SIZE = 64;
const ELEMENTS_PER_THREAD = 16;

export async function globalPruneGpu(device: GPUDevice, tensor: WeightTensor, options: GlobalPruneOptions, plan?: GlobalPrunePlan): Promise<CompressionParts> {
  const { threshold, cutEnd } = plan ?? planGlobalPrune([tensor.data], options.ratio)[0];
  const n = tensor.data.length;
  const run = new KernelRun(device, 'global-prune');
  try {
    const weights = await run.upload('weights', tensor.data);
    // SelectState: digit, low (= T), below, k, cut_end; apply-mask reads low and cut_end
    const state = await run.upload('prune state', Uint32Array.from([8, threshold, 0, 0, cutEnd]));
    const sizes = run.uniform('prune sizes', [n, 0]);
    const mask = run.storage('mask', n);
    const threads = Math.ceil(n / ELEMENTS_PER_THREAD);
    const pipeline = pipelineFor(device, 'prune-apply-mask', `${STATE_WGSL}\n${APPLY_WGSL}`);
    run.dispatch(pipeline, [sizes, weights, state, mask], Math.ceil(threads / WORKGROUP_SIZE));
    return await finishMasked(run, weights, mask, n);
  } finally {
    run.close();
  }
}
