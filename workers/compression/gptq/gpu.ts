/**
 * gptq on WebGPU: the column loop in WGSL, per batch of BATCH columns one dispatch of
 * gptq-block.wgsl (a thread per row quantizes the batch's columns with the error feedback inside
 * the batch) and one of gptq-lazy.wgsl (the batch's errors onto every later column, a thread per
 * 8 rows × 8 columns; lazy-update.ts); all on one encoder, one submit, one
 * readback.
 *
 * The setup stays in TS (gptqSetup, the same values the reference uses): the column order, the
 * act-order grids and above all U = chol(H⁻¹). U is a K×K f64 factorization (K ≤ 3,072 on the
 * 124 M shape: seconds at most, once per layer), a sequential algorithm with little parallelism
 * per step, and f64 matters there: a Hessian of a few calibration tokens is badly conditioned, and
 * WGSL has only f32. The loop it feeds is the O(rows · K²) part, and that is what runs here.
 *
 * Weights and U go up with rows padded to a multiple of 16 columns, read as vec4 (see the kernels).
 * A pruning mask (masked.ts) goes up as bits per row; only gptq-block.wgsl reads it.
 * Rows are independent, so a tall tensor (a vocabulary head) runs in chunks of rows that keep each
 * buffer under MAX_CHUNK_FLOATS; the outputs come back (rows, in) and are scattered here to the
 * tensor's stored order.
 */
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import { MIN_SCALE } from '../shared/affine';
import type { WeightTensor } from '../types';
import GPTQ_BLOCK_WGSL from './gptq-block.wgsl?raw';
import { lazyStride, lazyUpdatePipeline, recordLazyUpdate } from './lazy-update';
import type { GptqOptions } from './meta';
import { gptqParts, gptqSetup, type GptqParts, type GptqSetup } from './reference';

/** Must match WORKGROUP_SIZE in gptq-block.wgsl. */
const WORKGROUP_SIZE = 64;
/** Columns one dispatch of gptq-block.wgsl quantizes (BATCH in both kernels); see gptq-block.wgsl for why not 128. */
const BATCH = 32;
/**
 * Floats in the largest per-chunk buffer (work, deq, codes): 16 MB. Only a vocabulary head is that
 * tall (the 124 M shape's 50,257 rows: 10 chunks; every other layer there is one chunk). With 64 MB
 * chunks its three buffers, their readback and the pooled copies took the GPU process to +1,156 MiB
 * over idle at the make's peak, with 16 MB chunks +551 MiB (bench-gptq-124m --head; the head's loop
 * 70.1 s then, 32.4 s now, on a machine with less load).
 */
const MAX_CHUNK_FLOATS = 1 << 22;

const f32Bits = (v: number) => new Int32Array(Float32Array.of(v).buffer)[0];

export async function gptqGpu(device: GPUDevice, tensor: WeightTensor, options: GptqOptions): Promise<GptqParts> {
  const s = gptqSetup(tensor, options);
  const t = performance.now();
  const r = await gptqLoopGpu(device, s);
  return { ...r, phaseMs: { factor: s.factorMs, loop: performance.now() - t } };
}

/** The column loop on the GPU from a setup (exported so a test can time the loop alone); `mask` as gptqLoop's. */
export async function gptqLoopGpu(device: GPUDevice, s: GptqSetup, mask?: Uint8Array): Promise<GptqParts> {
  const { outDim: n, inDim: k, nGroups } = s;
  const size = n * k;
  const dequantized = new Float32Array(size);
  const codes = s.symmetric ? new Int8Array(size) : new Uint8Array(size);
  const scales = new Float32Array(n * nGroups);
  const zeroPoints = new Uint8Array(n * nGroups);
  const stride = lazyStride(k);
  const chunk = Math.max(1, Math.min(n, Math.floor(MAX_CHUNK_FLOATS / stride)));
  let loss = 0;
  for (let o0 = 0; o0 < n; o0 += chunk) {
    const rows = Math.min(chunk, n - o0);
    const part = await chunkOnGpu(device, s, stride, o0, rows, mask);
    const deq = new Float32Array(part.deq);
    const words = new Int32Array(part.codesLoss); // signed when symmetric
    const rowLoss = new Float32Array(part.codesLoss, rows * k * 4, rows);
    const grid = new Uint32Array(part.grid);
    const gridF = new Float32Array(part.grid);
    for (let r = 0; r < rows; r++) {
      const o = o0 + r;
      for (let i = 0; i < k; i++) {
        const at = o * s.strideOut + i * s.strideIn;
        dequantized[at] = deq[r * k + i];
        codes[at] = words[r * k + i];
      }
      for (let g = 0; g < nGroups; g++) {
        scales[o * nGroups + g] = gridF[r * nGroups + g];
        zeroPoints[o * nGroups + g] = grid[rows * nGroups + r * nGroups + g];
      }
      loss += rowLoss[r]; // in row order, as the reference sums
    }
  }
  return gptqParts(s.symmetric, dequantized, codes, scales, zeroPoints, loss / 2);
}

async function chunkOnGpu(device: GPUDevice, s: GptqSetup, stride: number, o0: number, rows: number, mask?: Uint8Array): Promise<{ deq: ArrayBuffer; codesLoss: ArrayBuffer; grid: ArrayBuffer }> {
  const k = s.inDim;
  const nGroups = s.nGroups;
  const run = new KernelRun(device, 'gptq');
  try {
    const order = await run.upload('column order', s.order);
    // U's rows padded to `stride`, then the factors; laid out in the staging memory (no JS copy)
    const u = await run.uploadFilled('inverse Hessian factor', (k * stride + Math.ceil((2 * k) / 4) * 4) * 4, (mapped) => {
      const f = new Float32Array(mapped.buffer, mapped.byteOffset, mapped.byteLength / 4);
      for (let a = 0; a < k; a++) f.set(s.u.subarray(a * k, a * k + k), a * stride);
      f.set(s.inv, k * stride);
    });
    // (rows, stride) in quantization order, padding 0
    const work = await run.uploadFilled('row values', rows * stride * 4, (mapped) => {
      const start = new Float32Array(mapped.buffer, mapped.byteOffset, mapped.byteLength / 4);
      for (let r = 0; r < rows; r++) {
        const from = (o0 + r) * s.strideOut;
        for (let a = 0; a < k; a++) start[r * stride + a] = s.data[from + s.order[a] * s.strideIn];
      }
    });
    let grid: GPUBuffer;
    if (s.actOrder) {
      const g = new Uint32Array(2 * rows * nGroups);
      for (let i = 0; i < rows * nGroups; i++) {
        g[i] = f32Bits(s.scales[o0 * nGroups + i]);
        g[rows * nGroups + i] = s.zeroPoints[o0 * nGroups + i];
      }
      grid = await run.upload('group grids', g);
    } else {
      grid = run.storage('group grids', 2 * rows * nGroups * 4);
    }
    const maskWords = Math.ceil(k / 32);
    const kept = mask ? await run.upload('kept weights', maskBits(s, mask, o0, rows, maskWords)) : run.storage('no mask', 4);
    const err = run.storage('batch errors', BATCH * rows * 4);
    const deq = run.storage('dequantized', rows * k * 4);
    const codesLoss = run.storage('codes and row losses', (rows * k + rows) * 4);
    const blockPipeline = pipelineFor(device, 'gptq block', GPTQ_BLOCK_WGSL);
    const lazyPipeline = lazyUpdatePipeline(device);
    const lazy = { u, work, err };
    for (let b1 = 0; b1 < k; b1 += BATCH) {
      const b2 = Math.min(k, b1 + BATCH);
      const fields = [rows, k, stride, b1, b2, s.groupSize, nGroups, s.actOrder ? 1 : 0, s.qmax, f32Bits(s.invLevels), f32Bits(MIN_SCALE), s.symmetric ? 1 : 0, mask ? 1 : 0, maskWords];
      run.dispatch(blockPipeline, [run.uniform('gptq block sizes', fields), order, u, work, err, deq, codesLoss, grid, kept], Math.ceil(rows / WORKGROUP_SIZE));
      recordLazyUpdate(run, lazyPipeline, lazy, rows, k, b1, b2);
    }
    const [d, c, g] = await run.finish([
      { buffer: deq, bytes: rows * k * 4 },
      { buffer: codesLoss, bytes: (rows * k + rows) * 4 },
      { buffer: grid, bytes: 2 * rows * nGroups * 4 },
    ]);
    return { deq: d, codesLoss: c, grid: g };
  } finally {
    run.close();
  }
}

/** Rows [o0, o0 + rows) of the mask (stored order, 0 = pruned) as bits in natural column order, 1 = kept. */
function maskBits(s: GptqSetup, mask: Uint8Array, o0: number, rows: number, words: number): Uint32Array {
  const bits = new Uint32Array(rows * words);
  for (let r = 0; r < rows; r++) {
    const from = (o0 + r) * s.strideOut;
    for (let i = 0; i < s.inDim; i++) if (mask[from + i * s.strideIn]) bits[r * words + (i >> 5)] |= 1 << (i & 31);
  }
  return bits;
}
