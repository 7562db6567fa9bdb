/**
 * sparsegpt on WebGPU: the column loop in WGSL, per batch of BATCH columns one dispatch of
 * sparsegpt.wgsl, or for N:M nm-batch.ts's kernel (a thread per row selects the mask and prunes the
 * batch's columns, with the error feedback inside the batch), then lazy-span.ts's update (the batch's
 * errors onto the rest of its span of 128 columns; after a span's last batch, the span's errors onto
 * every later column; a thread per 16 rows × 8 columns); all on one encoder,
 * one submit, one readback, as GPTQ's loop runs (gptq/gpu.ts). U and the per-column factors come from sparseGptSetup, the same
 * floats the reference uses; the row losses come back as f32 and are summed here as the reference
 * sums them. Rows and U go up padded to a multiple of 16 columns (read as vec4); the pruned
 * weights come back in those rows and the mask as bits per row, both scattered here to the stored order.
 */
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import type { CompressionParts, WeightTensor } from '../types';
import { lazyStride } from '../gptq/lazy-update';
import { lazySpanPipeline, recordLazySpan, SPAN } from './lazy-span';
import { SPARSEGPT_BLOCK, type SparseGptOptions } from './meta';
import { nmBatchWgsl } from './nm-batch';
import { sparseGptSetup } from './reference';
import SPARSEGPT_WGSL from './sparsegpt.wgsl?raw';

/** Must match WORKGROUP_SIZE and BATCH in sparsegpt.wgsl (BATCH also in nm-batch.ts and lazy-span.ts). */
const WORKGROUP_SIZE = 64;
const BATCH = 32;
/** u32 words of a row's selection in sparsegpt.wgsl: a block of SPARSEGPT_BLOCK (128) columns */
const MASK_WORDS = 4;

export async function sparseGptGpu(device: GPUDevice, tensor: WeightTensor, options: SparseGptOptions): Promise<CompressionParts> {
  const s = sparseGptSetup(tensor, options);
  const { outDim: n, inDim: k } = s;
  // sparsegpt.wgsl's select_run: a run is one or two vec4 of columns (2:4, 4:8)
  if (s.nm[1] && (s.nm[1] > 8 || s.nm[1] % 4)) throw new Error(`sparsegpt on WebGPU: runs of ${s.nm[1]} inputs are not supported (4 or 8)`);
  const stride = lazyStride(k);
  const maskWords = Math.ceil(k / 32);
  const run = new KernelRun(device, 'sparsegpt');
  try {
    const u = await run.uploadFilled('inverse Hessian factor', k * stride * 4, (mapped) => {
      const f = new Float32Array(mapped.buffer, mapped.byteOffset, mapped.byteLength / 4);
      for (let a = 0; a < k; a++) f.set(s.u.subarray(a * k, a * k + k), a * stride);
    });
    // 1 / U_aa and 1 / U_aa² as two rows of `stride` (read as vec4)
    const inv = await run.uploadFilled('column factors', 2 * stride * 4, (mapped) => {
      const f = new Float32Array(mapped.buffer, mapped.byteOffset, mapped.byteLength / 4);
      f.set(s.inv.subarray(0, k));
      f.set(s.inv.subarray(k, 2 * k), stride);
    });
    const work = await run.uploadFilled('row values', n * stride * 4, (mapped) => {
      const f = new Float32Array(mapped.buffer, mapped.byteOffset, mapped.byteLength / 4);
      for (let o = 0; o < n; o++) for (let i = 0; i < k; i++) f[o * stride + i] = s.data[o * s.strideOut + i * s.strideIn];
    });
    const keptLoss = run.storage('kept bits and row losses', (n * maskWords + n) * 4);
    const err = run.storage('span errors', n * SPAN * 4);
    const carried = run.storage('carried columns', n * (SPAN / 32) * 4);
    // a weight of −0 needs the skip to be exact (lazy-span.ts, EXACT); trained weights hardly ever hold one
    const exact = s.data.some((x) => Object.is(x, -0));
    const m = s.nm[1] as 0 | 4 | 8;
    // unstructured: the per-block prune counts and each row's current block selection
    const unstructured = m ? undefined : { blockPrune: await run.upload('block prune counts', s.blockPrune), pruned: run.storage('block selection', n * MASK_WORDS * 4) };
    const blockPipeline = m ? pipelineFor(device, `sparsegpt ${m}-runs${exact ? ' exact' : ''}`, nmBatchWgsl(m, exact)) : pipelineFor(device, 'sparsegpt', SPARSEGPT_WGSL);
    const lazyPipeline = await lazySpanPipeline(device, exact);
    const lazy = { u, work, err, carried };
    for (let b1 = 0; b1 < k; b1 += BATCH) {
      const b2 = Math.min(k, b1 + BATCH);
      if (m) run.dispatch(blockPipeline, [run.uniform('sparsegpt N:M sizes', [n, k, stride, s.nm[0], maskWords, b1, b2]), u, inv, work, keptLoss, err, carried], Math.ceil(n / WORKGROUP_SIZE));
      else run.dispatch(blockPipeline, [run.uniform('sparsegpt sizes', [n, k, stride, SPARSEGPT_BLOCK, maskWords, b1, b2]), u, inv, unstructured!.blockPrune, work, keptLoss, unstructured!.pruned, err, carried], Math.ceil(n / WORKGROUP_SIZE));
      recordLazySpan(run, lazyPipeline, lazy, n, k, stride, b1, b2, exact);
    }
    const [rows, words] = await run.finish([{ buffer: work, bytes: n * stride * 4 }, { buffer: keptLoss, bytes: (n * maskWords + n) * 4 }]);
    const values = new Float32Array(rows);
    const bits = new Uint32Array(words);
    const rowLoss = new Float32Array(words, n * maskWords * 4, n);
    const dequantized = new Float32Array(s.data.length);
    const mask = new Uint8Array(s.data.length);
    let loss = 0;
    for (let o = 0; o < n; o++) {
      for (let i = 0; i < k; i++) {
        const at = o * s.strideOut + i * s.strideIn;
        dequantized[at] = values[o * stride + i];
        mask[at] = (bits[o * maskWords + (i >> 5)] >>> (i & 31)) & 1;
      }
      loss += rowLoss[o]; // in row order, as the reference sums
    }
    return { dequantized, mask, loss: loss / 2 };
  } finally {
    run.close();
  }
}
