/**
 * Reference Wanda (plain loops; the truth wanda-mask.wgsl is held to). Scores are f32 products
 * |w| · r_i with r_i = fround(sqrt(‖X_i‖²)) computed once here and handed to the GPU as they are,
 * so both sides compare the same floats. Within a row (or an N:M run) an element is pruned when
 * its rank in the order (score, input index) ascending is below the count to prune.
 */
import { labError } from '../../errors';
import { linearView } from '../layout';
import type { CompressionParts, WeightTensor } from '../types';
import { wandaNm, type WandaOptions } from './meta';

/** r_i = fround(sqrt(‖X_i‖²)), the input column norms. */
export function columnNorms(tensor: WeightTensor): Float32Array {
  const view = linearView(tensor.shape, tensor.layout);
  const sq = tensor.calibration?.colSqNorms;
  if (!sq) throw labError('BadOption', `wanda on ${tensor.name ?? 'a tensor'}: needs the input column norms from calibration; none were given`);
  if (sq.length !== view.inDim) throw labError('BadOption', `wanda on ${tensor.name ?? 'a tensor'}: ${sq.length} column norms for an input of ${view.inDim}`);
  return Float32Array.from(sq, (v) => Math.sqrt(v));
}

/** [first, end) of the run holding input i, and how many of that run are pruned. */
export function runOf(i: number, inDim: number, options: WandaOptions): { start: number; end: number; prune: number } {
  const nm = wandaNm(options.pattern);
  if (!nm) return { start: 0, end: inDim, prune: Math.min(inDim, Math.max(0, Math.round(options.ratio * inDim))) };
  const [n, m] = nm;
  const start = Math.floor(i / m) * m;
  const end = Math.min(inDim, start + m);
  const len = end - start;
  return { start, end, prune: Math.max(0, len - n) };
}

/**
 * Wanda's own objective on the calibration inputs, ½ Σ_ij ΔW_ij² ‖X_j‖² (ΔW = the pruned weights):
 * the diagonal estimate of the loss GPTQ / AWQ / SparseGPT report, ½ tr(ΔW H ΔWᵀ) with H = Σ x xᵀ
 * reduced to its diagonal ‖X_j‖², the statistic Wanda calibrates. Summed in f64, row by row in input
 * order, from the mask: the WGSL path (gpu.ts) calls it on the mask it read back, so a path that
 * pruned the same weights reports the same loss.
 */
export function wandaLoss(tensor: WeightTensor, mask: Uint8Array): number {
  const view = linearView(tensor.shape, tensor.layout);
  const sq = tensor.calibration!.colSqNorms!;
  let loss = 0;
  for (let o = 0; o < view.outDim; o++) {
    for (let i = 0; i < view.inDim; i++) {
      const at = o * view.strideOut + i * view.strideIn;
      if (!mask[at]) loss += tensor.data[at] * tensor.data[at] * sq[i];
    }
  }
  return loss / 2;
}

export function wandaReference(tensor: WeightTensor, options: WandaOptions): CompressionParts {
  const view = linearView(tensor.shape, tensor.layout);
  const norms = columnNorms(tensor);
  const { data } = tensor;
  const dequantized = new Float32Array(data);
  const mask = new Uint8Array(data.length).fill(1);
  const score = new Float32Array(view.inDim);
  const order: number[] = [];
  for (let o = 0; o < view.outDim; o++) {
    for (let i = 0; i < view.inDim; i++) score[i] = Math.abs(data[o * view.strideOut + i * view.strideIn]) * norms[i];
    for (let start = 0; start < view.inDim; ) {
      const run = runOf(start, view.inDim, options);
      order.length = 0;
      for (let i = run.start; i < run.end; i++) order.push(i);
      order.sort((a, b) => score[a] - score[b] || a - b);
      for (let k = 0; k < run.prune; k++) {
        const at = o * view.strideOut + order[k] * view.strideIn;
        dequantized[at] = 0;
        mask[at] = 0;
      }
      start = run.end;
    }
  }
  return { dequantized, mask, loss: wandaLoss(tensor, mask) };
}
