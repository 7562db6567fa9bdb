/** structured-prune on WebGPU: the neuron norms in neuron-norms.wgsl (one thread per neuron); zeroing the removed neurons is a copy, done as the reference does it. */
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import type { NeuronView } from './reference';
import NORMS_WGSL from './neuron-norms.wgsl?raw';

/** Must match WORKGROUP_SIZE in neuron-norms.wgsl. */
const WORKGROUP_SIZE = 64;

/** neuronSumSquares on the GPU: one upload, one pass, one readback. */
export async function neuronSumSquaresGpu(device: GPUDevice, data: Float32Array, view: NeuronView): Promise<Float32Array> {
  const run = new KernelRun(device, 'neuron-norms');
  try {
    const weights = await run.upload('weights', data);
    const out = run.storage('neuron norms', view.count * 4);
    const params = run.uniform('neuron-norms params', [view.count, view.len, view.strideNeuron, view.strideElem]);
    run.dispatch(pipelineFor(device, 'neuron-norms', NORMS_WGSL), [params, weights, out], Math.ceil(view.count / WORKGROUP_SIZE));
    const [sums] = await run.finish([{ buffer: out, bytes: view.count * 4 }]);
    return new Float32Array(sums);
  } finally {
    run.close();
  }
}
