/** nm-prune on WebGPU: nm-prune.wgsl, a thread per run of M weights; the mask starts all zero. */
import { finishMasked } from '../magnitude-prune/gpu';
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import { linearView } from '../layout';
import type { CompressionParts, WeightTensor } from '../types';
import NM_WGSL from './nm-prune.wgsl?raw';
import { nmOf, type NmPruneOptions } from './meta';

const WORKGROUP_SIZE = 64;

export async function nmPruneGpu(device: GPUDevice, tensor: WeightTensor, options: NmPruneOptions): Promise<CompressionParts> {
  const [keep, m] = nmOf(options.pattern);
  const view = linearView(tensor.shape, tensor.layout);
  const n = tensor.data.length;
  const nRuns = Math.ceil(view.inDim / m);
  const run = new KernelRun(device, 'nm-prune');
  try {
    const weights = await run.upload('weights', tensor.data);
    const mask = run.storage('mask', n);
    run.encoder.clearBuffer(mask);
    const params = run.uniform('nm-prune params', [view.outDim, view.inDim, view.strideOut, view.strideIn, keep, m, nRuns]);
    run.dispatch(pipelineFor(device, 'nm-prune', NM_WGSL), [params, weights, mask], Math.ceil((view.outDim * nRuns) / WORKGROUP_SIZE));
    return await finishMasked(run, weights, mask, n);
  } finally {
    run.close();
  }
}
