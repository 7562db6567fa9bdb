/**
 * sparsegpt on WebGPU: sparsegpt.wgsl, one dispatch (a thread per output row), one readback. U and
 * the per-column factors come from sparseGptSetup, the same floats the reference uses; the row
 * losses come back as f32 and are summed here as the reference sums them.
 */
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import type { CompressionParts, WeightTensor } from '../types';
import { SPARSEGPT_BLOCK, type SparseGptOptions } from './meta';
import { sparseGptSetup } from './reference';
import SPARSEGPT_WGSL from './sparsegpt.wgsl?raw';

/** Must match WORKGROUP_SIZE in sparsegpt.wgsl. */
const WORKGROUP_SIZE = 64;

export async function sparseGptGpu(device: GPUDevice, tensor: WeightTensor, options: SparseGptOptions): Promise<CompressionParts> {
  const s = sparseGptSetup(tensor, options);
  const size = s.data.length;
  const run = new KernelRun(device, 'sparsegpt');
  try {
    const weights = await run.upload('weights', s.data);
    const u = await run.upload('inverse Hessian factor', s.u);
    const inv = await run.upload('column factors', s.inv);
    const blockPrune = await run.upload('block prune counts', s.blockPrune);
    const work = run.storage('row values', size * 4);
    const out = run.storage('pruned', size * 4);
    const maskLoss = run.storage('mask and row losses', (size + s.outDim) * 4);
    const uniform = run.uniform('sparsegpt sizes', [s.outDim, s.inDim, s.strideOut, s.strideIn, s.nm[0], s.nm[1], SPARSEGPT_BLOCK]);
    run.dispatch(pipelineFor(device, 'sparsegpt', SPARSEGPT_WGSL), [uniform, weights, u, inv, blockPrune, work, out, maskLoss], Math.ceil(s.outDim / WORKGROUP_SIZE));
    const [deq, words] = await run.finish([{ buffer: out, bytes: size * 4 }, { buffer: maskLoss, bytes: (size + s.outDim) * 4 }]);
    const all = new Uint32Array(words);
    const rowLoss = new Float32Array(words, size * 4, s.outDim);
    let loss = 0;
    for (const l of rowLoss) loss += l;
    return { dequantized: new Float32Array(deq), mask: Uint8Array.from(all.subarray(0, size)), loss: loss / 2 };
  } finally {
    run.close();
  }
}
