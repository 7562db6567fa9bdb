/** nf4 on WebGPU: nf4-absmax.wgsl (a thread per block), then nf4-quantize.wgsl (4 elements a thread), one submit. */
import { MIN_SCALE } from '../shared/affine';
import { f32Bits, pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import { linearView } from '../layout';
import type { CompressionParts, WeightTensor } from '../types';
import ABSMAX_WGSL from './nf4-absmax.wgsl?raw';
import QUANTIZE_WGSL from './nf4-quantize.wgsl?raw';
import { NF4_BLOCK, NF4_MIDPOINTS, NF4_VALUES } from './meta';

const WORKGROUP_SIZE = 64;
const BOOK = Float32Array.from([...NF4_VALUES, ...NF4_MIDPOINTS]);

export async function nf4Gpu(device: GPUDevice, tensor: WeightTensor): Promise<CompressionParts> {
  const view = linearView(tensor.shape, tensor.layout);
  const n = tensor.data.length;
  const nBlocks = Math.ceil(n / NF4_BLOCK);
  const run = new KernelRun(device, 'nf4');
  try {
    const weights = await run.upload('weights', tensor.data);
    const book = await run.upload('nf4 book', BOOK);
    const absmax = run.storage('absmax', nBlocks * 4);
    const codes = run.storage('codes', n);
    const blockParams = run.uniform('nf4-absmax params', [n, view.inDim, view.strideOut, view.strideIn, nBlocks, f32Bits(MIN_SCALE)]);
    run.dispatch(pipelineFor(device, 'nf4-absmax', ABSMAX_WGSL), [blockParams, weights, absmax], Math.ceil(nBlocks / WORKGROUP_SIZE));
    const quantizeParams = run.uniform('nf4-quantize params', [n, tensor.shape[1], view.inDim, tensor.layout === 'in_out' ? 1 : 0]);
    run.dispatch(pipelineFor(device, 'nf4-quantize', QUANTIZE_WGSL), [quantizeParams, weights, absmax, book, codes], Math.ceil(n / 4 / WORKGROUP_SIZE));
    const [deq, codeBytes, scales] = await run.finish([
      { buffer: weights, bytes: n * 4 },
      { buffer: codes, bytes: n },
      { buffer: absmax, bytes: nBlocks * 4 },
    ]);
    return { dequantized: new Float32Array(deq), codes: new Uint8Array(codeBytes), scales: new Float32Array(scales) };
  } finally {
    run.close();
  }
}
