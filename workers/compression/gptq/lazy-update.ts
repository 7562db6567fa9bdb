/**
 * GPTQ's lazy update (gptq-lazy.wgsl): after each batch of BATCH columns, the batch's errors onto
 * every later column. Its tiles (8 rows × 8 columns a thread, 128 × 32 a workgroup) are chosen here
 * and in the kernel only. lazyStride is also SparseGPT's row padding (sparsegpt/lazy-span.ts is its
 * update).
 */
import { pipelineFor } from '../shared/gpu';
import type { KernelRun } from '../shared/kernel-run';
import LAZY_WGSL from './gptq-lazy.wgsl?raw';

/** Must match ROWS and COLS of gptq-lazy.wgsl (rows and columns a workgroup). */
const LAZY_ROWS = 128;
const LAZY_COLS = 32;
/** Row padding of U and the weights: the block kernels read them as vec4, aligned to 16 floats. */
const PAD = 16;

/** Row length of U and the weights on the GPU: `k` padded to a multiple of 16. */
export const lazyStride = (k: number): number => Math.ceil(k / PAD) * PAD;

/** The kernel's pipeline, compiled once per device. */
export function lazyUpdatePipeline(device: GPUDevice): GPUComputePipeline {
  return pipelineFor(device, 'lazy update', LAZY_WGSL);
}

export interface LazyBuffers {
  /** (in, stride) upper factor, read as vec4 (GPTQ's factors may follow) */
  u: GPUBuffer;
  /** (rows, stride) running values */
  work: GPUBuffer;
  /** (rows, BATCH) the batch's errors */
  err: GPUBuffer;
}

/** Records the update of columns [b2, k) of `rows` rows by the batch [b1, b2); nothing when the batch is the last. */
export function recordLazyUpdate(run: KernelRun, pipeline: GPUComputePipeline, b: LazyBuffers, rows: number, k: number, b1: number, b2: number): void {
  if (b2 >= k) return;
  const stride = lazyStride(k);
  const workgroups = Math.ceil(rows / LAZY_ROWS) * Math.ceil((stride - b2) / LAZY_COLS);
  run.dispatch(pipeline, [run.uniform('lazy update sizes', [rows, k, stride, b1, b2]), b.u, b.work, b.err], workgroups);
}
