/**
 * magnitude-prune on WebGPU. Finding the k-th smallest |w| is a radix select on the key bits:
 * 4 histogram passes (radix-histogram.wgsl), one byte each, with the 256-bin scan on the CPU
 * between passes. That fixes the threshold key T and how many of the keys equal to T to prune;
 * when that is some but not all of them, tie-count.wgsl and one chunk read back find the cut
 * index. apply-mask.wgsl then zeroes weights in place and writes the mask.
 */
import { dispatch, pipelineFor, release, storageBuffer, submitAndRead, uniformBuffer, uploadBuffer } from '../shared/gpu';
import type { CompressionParts, WeightTensor } from '../types';
import APPLY_WGSL from './apply-mask.wgsl?raw';
import HISTOGRAM_WGSL from './radix-histogram.wgsl?raw';
import TIE_COUNT_WGSL from './tie-count.wgsl?raw';
import { pruneCount, type MagnitudePruneOptions } from './meta';

/** Elements per workgroup in radix-histogram.wgsl and tie-count.wgsl (256 threads x 16). */
const CHUNK = 4096;
/** Threads per workgroup and elements per thread in apply-mask.wgsl. */
const APPLY_WORKGROUP_SIZE = 64;
const APPLY_ELEMENTS_PER_THREAD = 4;
const BINS = 256;

interface Threshold {
  /** the k-th smallest key */
  key: number;
  /** how many keys equal to `key` are pruned (1..tieCount) */
  tiesToPrune: number;
  /** how many keys equal `key` */
  tieCount: number;
}

/** Radix select of the k-th smallest (1-based) key, most significant byte first. */
async function selectThreshold(device: GPUDevice, weights: GPUBuffer, n: number, k: number): Promise<Threshold> {
  const hist = storageBuffer(device, 'radix histogram', BINS * 4);
  const pipeline = pipelineFor(device, 'prune-radix-histogram', HISTOGRAM_WGSL);
  let prefix = 0;
  let prefixMask = 0;
  let rank = k; // rank of the wanted key among the keys that match the prefix
  let binCount = 0;
  for (let shift = 24; shift >= 0; shift -= 8) {
    const params = uniformBuffer(device, 'histogram params', [n, prefixMask, prefix, shift]);
    const encoder = device.createCommandEncoder({ label: `prune histogram byte ${shift / 8}` });
    encoder.clearBuffer(hist);
    dispatch(device, encoder, pipeline, [params, weights, hist], Math.ceil(n / CHUNK));
    const [bytes] = await submitAndRead(device, encoder, [{ buffer: hist, bytes: BINS * 4 }]);
    params.destroy();
    const bins = new Uint32Array(bytes);
    let bin = 0;
    while (rank > bins[bin]) rank -= bins[bin++];
    binCount = bins[bin];
    prefix = (prefix | (bin << shift)) >>> 0;
    prefixMask = (prefixMask | (0xff << shift)) >>> 0;
  }
  hist.destroy();
  return { key: prefix, tiesToPrune: rank, tieCount: binCount };
}

/** The flat index just after the `tiesToPrune`-th key equal to `key` (ties kept from there on). */
async function tieCutEnd(device: GPUDevice, weights: GPUBuffer, n: number, t: Threshold): Promise<number> {
  if (t.tiesToPrune === t.tieCount) return n;
  const chunks = Math.ceil(n / CHUNK);
  const counts = storageBuffer(device, 'tie counts', chunks * 4);
  const params = uniformBuffer(device, 'tie-count params', [n, t.key]);
  const encoder = device.createCommandEncoder({ label: 'prune tie count' });
  dispatch(device, encoder, pipelineFor(device, 'prune-tie-count', TIE_COUNT_WGSL), [params, weights, counts], chunks);
  const perChunk = new Uint32Array((await submitAndRead(device, encoder, [{ buffer: counts, bytes: chunks * 4 }]))[0]);
  release(counts, params);
  let rank = t.tiesToPrune;
  let chunk = 0;
  while (rank > perChunk[chunk]) rank -= perChunk[chunk++];
  // read back just that chunk's keys and find the rank-th tie in it
  const start = chunk * CHUNK;
  const length = Math.min(CHUNK, n - start);
  const [bytes] = await submitAndRead(device, device.createCommandEncoder(), [{ buffer: weights, bytes: length * 4, offset: start * 4 }]);
  const bits = new Uint32Array(bytes);
  for (let j = 0; j < length; j++) {
    if ((bits[j] & 0x7fffffff) === t.key && --rank === 0) return start + j + 1;
  }
  throw new Error(`magnitude-prune: tie counts disagree with chunk ${chunk} (GPU bug)`);
}

export async function magnitudePruneGpu(device: GPUDevice, tensor: WeightTensor, options: MagnitudePruneOptions): Promise<CompressionParts> {
  const n = tensor.data.length;
  const k = pruneCount(options.ratio, n);
  const weights = uploadBuffer(device, 'weights', tensor.data);
  // k = 0 prunes nothing: threshold 0 and cut 0 match no key
  let threshold = 0;
  let cutEnd = 0;
  if (k > 0) {
    const t = await selectThreshold(device, weights, n, k);
    threshold = t.key;
    cutEnd = await tieCutEnd(device, weights, n, t);
  }
  const mask = storageBuffer(device, 'mask', n);
  const params = uniformBuffer(device, 'apply-mask params', [n, threshold, cutEnd]);
  const encoder = device.createCommandEncoder({ label: 'prune apply' });
  const threads = Math.ceil(n / APPLY_ELEMENTS_PER_THREAD);
  dispatch(device, encoder, pipelineFor(device, 'prune-apply-mask', APPLY_WGSL), [params, weights, mask], Math.ceil(threads / APPLY_WORKGROUP_SIZE));
  const [deq, maskBytes] = await submitAndRead(device, encoder, [
    { buffer: weights, bytes: n * 4 },
    { buffer: mask, bytes: n },
  ]);
  release(weights, mask, params);
  return { dequantized: new Float32Array(deq), mask: new Uint8Array(maskBytes) };
}
