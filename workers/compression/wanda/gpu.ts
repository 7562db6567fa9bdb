/**
 * wanda on WebGPU, one submit, one readback of the keep-mask bytes; the column norms come from the
 * reference's columnNorms. Unstructured: wanda-row.wgsl finds each row's cut (a thread per output
 * row, a bitwise search for its threshold), then wanda-mask.wgsl applies it; N:M: wanda-mask.wgsl
 * alone ranks each weight within its run of M. The pruned weights are the input with the pruned
 * ones zeroed, made here from the mask (as the reference makes them): reading them back as well
 * doubled the bytes coming back.
 */
import { linearView } from '../layout';
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import type { CompressionParts, WeightTensor } from '../types';
import { wandaNm, type WandaOptions } from './meta';
import { columnNorms, runOf, wandaLoss } from './reference';
import WANDA_COMMON_WGSL from './wanda-common.wgsl?raw';
import WANDA_MASK_WGSL from './wanda-mask.wgsl?raw';
import WANDA_ROW_WGSL from './wanda-row.wgsl?raw';
import WANDA_ROW4_WGSL from './wanda-row4.wgsl?raw';

/** Must match WORKGROUP_SIZE in wanda-common.wgsl. */
const WORKGROUP_SIZE = 64;

export async function wandaGpu(device: GPUDevice, tensor: WeightTensor, options: WandaOptions): Promise<CompressionParts> {
  const view = linearView(tensor.shape, tensor.layout);
  const norms = columnNorms(tensor);
  const { data } = tensor;
  const n = data.length;
  const nm = wandaNm(options.pattern);
  const run = new KernelRun(device, 'wanda');
  try {
    const weights = await run.upload('weights', data);
    const r = await run.upload('column norms', norms);
    // (in, out) with out % 4 == 0: 4 rows a thread, their weights of an input one vec4 load and their mask bytes one word (wanda-row4.wgsl)
    const quads = !nm && view.strideOut === 1 && view.outDim % 4 === 0;
    const cuts = run.storage('row cuts', nm || quads ? 4 : view.outDim * 8);
    const mask = run.storage('mask', n);
    const uniform = run.uniform('wanda sizes', [
      view.outDim, view.inDim, view.strideOut, view.strideIn, nm ? nm[0] : 0, nm ? nm[1] : 0, runOf(0, view.inDim, options).prune, n,
    ]);
    if (quads) run.dispatch(pipelineFor(device, 'wanda-row4', `${WANDA_COMMON_WGSL}\n${WANDA_ROW4_WGSL}`), [uniform, weights, r, mask, weights], Math.ceil(view.outDim / 4 / WORKGROUP_SIZE));
    else {
      if (!nm) run.dispatch(pipelineFor(device, 'wanda-row', `${WANDA_COMMON_WGSL}\n${WANDA_ROW_WGSL}`), [uniform, weights, r, cuts], Math.ceil(view.outDim / WORKGROUP_SIZE));
      run.dispatch(pipelineFor(device, 'wanda-mask', `${WANDA_COMMON_WGSL}\n${WANDA_MASK_WGSL}`), [uniform, weights, r, cuts, mask], Math.ceil(Math.ceil(n / 4) / WORKGROUP_SIZE));
    }
    const [maskBytes] = await run.finish([{ buffer: mask, bytes: n }]);
    const kept = new Uint8Array(maskBytes);
    const dequantized = new Float32Array(data);
    for (let f = 0; f < n; f++) if (!kept[f]) dequantized[f] = 0;
    return { dequantized, mask: kept, loss: wandaLoss(tensor, kept) };
  } finally {
    run.close();
  }
}
