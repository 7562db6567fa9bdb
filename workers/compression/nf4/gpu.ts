/**
 * nf4 on WebGPU: nf4-absmax.wgsl (a thread per block), then nf4-quantize.wgsl (64 elements a
 * thread, with the stats' sums), one submit. Read back: codes, block scales and the threads'
 * partial sums; the dequantized weights are made from the codes on the host only if someone reads
 * them (NF4[q] * a rounded to f32, the kernel's and the reference's product).
 */
import { MIN_SCALE } from '../shared/affine';
import { f32Bits, pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import { linearView, type LinearView } from '../layout';
import { withLazyDequantized, type CompressionParts, type WeightTensor } from '../types';
import { addPartials, PARTIAL_BYTES } from '../shared/partial-sums';
import ABSMAX_WGSL from './nf4-absmax.wgsl?raw';
import QUANTIZE_WGSL from './nf4-quantize.wgsl?raw';
import { NF4_BLOCK, NF4_MIDPOINTS, NF4_VALUES } from './meta';

const WORKGROUP_SIZE = 64;
/** Elements a thread of nf4-quantize.wgsl (WORDS code words of 4). */
const THREAD_ELEMENTS = 64;
/** The 16 code values nf4-quantize.wgsl reads (its 15 midpoints are constants in its text). */
const VALUES = Float32Array.from(NF4_VALUES);
/** The kernel with its 15 boundary tests unrolled against the midpoints' f32 bits (bitcast: exact, no decimal parsing). */
const QUANTIZE_WITH_MIDPOINTS = QUANTIZE_WGSL.replace(
  '/*MIDPOINT_TESTS*/',
  Array.from(Float32Array.from(NF4_MIDPOINTS), (m) => `q += u32(x >= bitcast<f32>(0x${new Uint32Array(Float32Array.of(m).buffer)[0].toString(16)}u) * a);`).join('\n  '),
);

export async function nf4Gpu(device: GPUDevice, tensor: WeightTensor): Promise<CompressionParts> {
  const view = linearView(tensor.shape, tensor.layout);
  const n = tensor.data.length;
  const nBlocks = Math.ceil(n / NF4_BLOCK);
  const nThreads = Math.ceil(n / THREAD_ELEMENTS);
  const run = new KernelRun(device, 'nf4');
  try {
    const weights = await run.upload('weights', tensor.data);
    const book = await run.upload('nf4 values', VALUES);
    const absmax = run.storage('absmax', nBlocks * 4);
    const codes = run.storage('codes', n);
    const partials = run.storage('partial sums', nThreads * PARTIAL_BYTES);
    const blockParams = run.uniform('nf4-absmax params', [n, view.inDim, view.strideOut, view.strideIn, nBlocks, f32Bits(MIN_SCALE)]);
    run.dispatch(pipelineFor(device, 'nf4-absmax', ABSMAX_WGSL), [blockParams, weights, absmax], Math.ceil(nBlocks / WORKGROUP_SIZE));
    const quantizeParams = run.uniform('nf4-quantize params', [n, tensor.shape[1], view.inDim, tensor.layout === 'in_out' ? 1 : 0, nThreads]);
    run.dispatch(pipelineFor(device, 'nf4-quantize', QUANTIZE_WITH_MIDPOINTS), [quantizeParams, weights, absmax, book, codes, partials], Math.ceil(nThreads / WORKGROUP_SIZE));
    const [codeBytes, scaleBytes, partialBytes] = await run.finish([
      { buffer: codes, bytes: n },
      { buffer: absmax, bytes: nBlocks * 4 },
      { buffer: partials, bytes: nThreads * PARTIAL_BYTES },
    ]);
    const parts = { codes: new Uint8Array(codeBytes), scales: new Float32Array(scaleBytes), sums: addPartials(new DataView(partialBytes), nThreads) };
    return withLazyDequantized(parts, n, () => dequantizeNf4(parts.codes, parts.scales, view, n));
  } finally {
    run.close();
  }
}

/**
 * NF4[q] * a of every stored element, a its logical block's scale (reference.ts's order). Written
 * apart from reference.ts on purpose: the kernels harness holds these floats to the reference's.
 */
function dequantizeNf4(codes: Uint8Array, scales: Float32Array, view: LinearView, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    const s = Math.floor(p / view.inDim) * view.strideOut + (p % view.inDim) * view.strideIn;
    out[s] = Math.fround(NF4_VALUES[codes[s]] * scales[Math.floor(p / NF4_BLOCK)]);
  }
  return out;
}
