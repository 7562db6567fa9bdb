/**
 * int8-channel, int4-group and rtn on WebGPU: affine-params.wgsl (a thread per group: scale and
 * zero point), then affine-quantize.wgsl (16 elements a thread: codes and dequantized weights in
 * place), one submit, one readback. The methods differ only in their grid: symmetric or not, one
 * group per channel or groups of a power-of-two size, and the code range.
 */
import type { LinearView } from '../layout';
import type { WeightTensor } from '../types';
import { MIN_SCALE } from './affine';
import { f32Bits, pipelineFor } from './gpu';
import { KernelRun } from './kernel-run';
import PARAMS_WGSL from './affine-params.wgsl?raw';
import QUANTIZE_WGSL from './affine-quantize.wgsl?raw';

/** Must match WORKGROUP_SIZE in both kernels and ELEMENTS_PER_THREAD in affine-quantize.wgsl. */
const WORKGROUP_SIZE = 64;
const ELEMENTS_PER_THREAD = 16;
/** group_shift that puts every input index in group 0 (one group per channel). */
const WHOLE_CHANNEL_SHIFT = 31;

export interface GpuGridSpec {
  /** for the KernelRun's label */
  label: string;
  /** symmetric: scale from max|w|, zero point 0, signed codes */
  symmetric: boolean;
  /** groups along the input: a power of two, or 0 for one group per channel */
  groupSize: number;
  /** fround(1 / levels) */
  invLevels: number;
  qmin: number;
  qmax: number;
}

export interface AffineReadback {
  dequantized: Float32Array;
  /** raw code bytes, one per element */
  codeBytes: ArrayBuffer;
  /** (out, nGroups) */
  scales: Float32Array;
  zeroPoints: Uint32Array;
}

export async function quantizeAffineGpu(device: GPUDevice, tensor: WeightTensor, view: LinearView, spec: GpuGridSpec): Promise<AffineReadback> {
  const n = tensor.data.length;
  const groupSize = spec.groupSize === 0 ? view.inDim : spec.groupSize;
  const groupShift = spec.groupSize === 0 ? WHOLE_CHANNEL_SHIFT : Math.log2(groupSize);
  if (!Number.isInteger(groupShift)) throw new Error(`group size ${groupSize} is not a power of two`);
  const nGroups = Math.ceil(view.inDim / groupSize);
  const nParams = view.outDim * nGroups;
  const inOut = tensor.layout === 'in_out' ? 1 : 0;
  const run = new KernelRun(device, spec.label);
  try {
    const weights = await run.upload('weights', tensor.data);
    const scales = run.storage('scales', nParams * 4);
    const zeroPoints = run.storage('zero points', nParams * 4);
    const codes = run.storage('codes', n);
    const paramsUniform = run.uniform('affine-params params', [
      view.outDim, view.inDim, view.strideOut, view.strideIn, groupSize, nGroups, inOut, spec.symmetric ? 1 : 0,
      f32Bits(spec.invLevels), f32Bits(MIN_SCALE), spec.qmax - spec.qmin,
    ]);
    run.dispatch(pipelineFor(device, 'affine-params', PARAMS_WGSL), [paramsUniform, weights, scales, zeroPoints], Math.ceil(nParams / WORKGROUP_SIZE));
    const quantizeUniform = run.uniform('affine-quantize params', [n, tensor.shape[1], inOut, groupShift, nGroups, spec.qmin, spec.qmax]);
    const threads = Math.ceil(n / ELEMENTS_PER_THREAD);
    run.dispatch(pipelineFor(device, 'affine-quantize', QUANTIZE_WGSL), [quantizeUniform, weights, scales, zeroPoints, codes], Math.ceil(threads / WORKGROUP_SIZE));
    const [deq, codeBytes, scaleBytes, zeroPointBytes] = await run.finish([
      { buffer: weights, bytes: n * 4 },
      { buffer: codes, bytes: n },
      { buffer: scales, bytes: nParams * 4 },
      { buffer: zeroPoints, bytes: nParams * 4 },
    ]);
    return { dequantized: new Float32Array(deq), codeBytes, scales: new Float32Array(scaleBytes), zeroPoints: new Uint32Array(zeroPointBytes) };
  } finally {
    run.close();
  }
}
