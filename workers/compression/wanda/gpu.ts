/** wanda on WebGPU: wanda-mask.wgsl, one pass, one readback; the column norms come from the reference's columnNorms. */
import { linearView } from '../layout';
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import type { CompressionParts, WeightTensor } from '../types';
import { wandaNm, type WandaOptions } from './meta';
import { columnNorms, runOf } from './reference';
import WANDA_WGSL from './wanda-mask.wgsl?raw';

/** Must match WORKGROUP_SIZE in wanda-mask.wgsl. */
const WORKGROUP_SIZE = 64;

export async function wandaGpu(device: GPUDevice, tensor: WeightTensor, options: WandaOptions): Promise<CompressionParts> {
  const view = linearView(tensor.shape, tensor.layout);
  const norms = columnNorms(tensor);
  const n = tensor.data.length;
  const nm = wandaNm(options.pattern);
  const run = new KernelRun(device, 'wanda');
  try {
    const weights = await run.upload('weights', tensor.data);
    const r = await run.upload('column norms', norms);
    const out = run.storage('pruned', n * 4);
    const mask = run.storage('mask', n * 4);
    const uniform = run.uniform('wanda sizes', [
      view.outDim, view.inDim, view.strideOut, view.strideIn, nm ? nm[0] : 0, nm ? nm[1] : 0, runOf(0, view.inDim, options).prune,
    ]);
    run.dispatch(pipelineFor(device, 'wanda-mask', WANDA_WGSL), [uniform, weights, r, out, mask], Math.ceil(n / WORKGROUP_SIZE));
    const [deq, maskWords] = await run.finish([{ buffer: out, bytes: n * 4 }, { buffer: mask, bytes: n * 4 }]);
    return { dequantized: new Float32Array(deq), mask: Uint8Array.from(new Uint32Array(maskWords)) };
  } finally {
    run.close();
  }
}
