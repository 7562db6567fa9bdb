/**
 * structured-prune on WebGPU: the channel norms in head-norms.wgsl (one thread per unit of
 * consecutive channels: an attention head or KV group, or with one channel a unit an MLP neuron);
 * zeroing the removed channels is a copy, done as the reference does it.
 */
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import type { UnitView } from './heads';
import type { NeuronView } from './reference';
import HEADS_WGSL from './head-norms.wgsl?raw';
import NEURONS4_WGSL from './neuron-norms4.wgsl?raw';

/** Must match WORKGROUP_SIZE in head-norms.wgsl. */
const WORKGROUP_SIZE = 64;

/** unitSumSquares on the GPU: one upload, one pass, one readback. */
export async function unitSumSquaresGpu(device: GPUDevice, data: Float32Array, view: UnitView): Promise<Float32Array> {
  const run = new KernelRun(device, 'head-norms');
  try {
    const weights = await run.upload('weights', data);
    const out = run.storage('head norms', view.count * 4);
    const params = run.uniform('head-norms params', [view.count, view.width, view.offset, view.len, view.strideNeuron, view.strideElem]);
    // 4 neighbouring neurons side by side: a thread per 4, vec4 loads (neuron-norms4.wgsl), the same sums
    const quads = view.width === 1 && view.offset === 0 && view.strideNeuron === 1 && view.count % 4 === 0 && view.strideElem % 4 === 0;
    if (quads) run.dispatch(pipelineFor(device, 'neuron-norms4', NEURONS4_WGSL), [params, weights, out], Math.ceil(view.count / 4 / WORKGROUP_SIZE));
    else run.dispatch(pipelineFor(device, 'head-norms', HEADS_WGSL), [params, weights, out], Math.ceil(view.count / WORKGROUP_SIZE));
    const [sums] = await run.finish([{ buffer: out, bytes: view.count * 4 }]);
    return new Float32Array(sums);
  } finally {
    run.close();
  }
}

/** neuronSumSquares on the GPU: units of one channel each (same arithmetic, same order). */
export function neuronSumSquaresGpu(device: GPUDevice, data: Float32Array, view: NeuronView): Promise<Float32Array> {
  return unitSumSquaresGpu(device, data, { ...view, width: 1, offset: 0 });
}
