/**
 * sparsegpt: SparseGPT (Frantar & Alistarh 2023, "SparseGPT: Massive Language Models Can Be
 * Accurately Pruned in One-Shot"). Columns are visited one by one, as in GPTQ; a pruned weight's
 * value is carried onto the columns not yet visited through the inverse Hessian of the layer's
 * inputs (the OBS update), H = Xᵀ X on calibration text, dampened by 1 % of its mean diagonal
 * (GPTQ's Hessian and Cholesky pieces, gptq/reference.ts). Which weights go is chosen by the OBS
 * error w² / [H⁻¹]_ii² ("adaptive mask selection"):
 *   unstructured  in blocks of 128 columns, each row prunes its lowest errors in the block, the
 *                 counts cumulated so every row ends with exactly round(ratio · in) pruned
 *   N:M           at the first column of every run of M inputs, its M − N lowest errors (a short
 *                 last run of r keeps min(r, N), as nm-prune does)
 * Ties go to the lower input index first. The export is dense f32 like magnitude pruning.
 */
import type { MethodOptions } from '../../api';
import { numberInRange, oneOf, rejectUnknownOptions } from '../shared/options';
import type { MethodMeta, OptionField } from '../types';
import { CALIBRATION_SAMPLES, calibrationTextOption, DEFAULT_SAMPLES, onText, samplesOption, WANDA_PATTERNS, wandaNm, type WandaPattern } from '../wanda/meta';

/** Columns whose mask is chosen together (unstructured), the paper's block size. */
export const SPARSEGPT_BLOCK = 128;

export interface SparseGptOptions {
  /** fraction of each row pruned (N:M patterns fix it at 1 − N/M) */
  ratio: number;
  pattern: WandaPattern;
  samples: number;
  calibrationText?: string;
}

export const sparseGptMeta: MethodMeta<SparseGptOptions> = Object.freeze({
  id: 'sparsegpt',
  label: 'SparseGPT pruning (calibrated)',
  description: 'Prune column by column by the OBS error w²/[H⁻¹]ᵢᵢ² and update the remaining weights to make up for each pruned one, with the Hessian of calibration inputs; unstructured or N:M.',
  calibration: 'hessian',
  defaults: Object.freeze({ ratio: 0.5, pattern: 'unstructured' as WandaPattern, samples: DEFAULT_SAMPLES }),
  fields: Object.freeze<OptionField[]>([
    { key: 'pattern', label: 'pattern', choices: WANDA_PATTERNS },
    { key: 'ratio', label: 'sparsity (unstructured)', choices: [0.1, 0.3, 0.5, 0.7, 0.9], format: (v) => `${Math.round(Number(v) * 100)} %` },
    { key: 'samples', label: 'calibration sequences', choices: CALIBRATION_SAMPLES },
  ]),
  variantLabel: (o: SparseGptOptions) => `SparseGPT ${o.pattern === 'unstructured' ? `${Math.round(o.ratio * 100)}%` : o.pattern} · calib ${o.samples}${onText(o)}`,
  resolveOptions(options: MethodOptions): SparseGptOptions {
    rejectUnknownOptions('sparsegpt', options, ['ratio', 'pattern', 'samples', 'calibrationText']);
    const pattern = oneOf('sparsegpt', 'pattern', options?.pattern, 'unstructured', WANDA_PATTERNS);
    const nm = wandaNm(pattern);
    const ratio = nm ? 1 - nm[0] / nm[1] : numberInRange('sparsegpt', 'ratio', options?.ratio, 0.5, 0, 1);
    return { ratio, pattern, samples: samplesOption('sparsegpt', options?.samples), ...calibrationTextOption('sparsegpt', options?.calibrationText) };
  },
  bitsPerWeight(): number {
    return 32;
  },
});
