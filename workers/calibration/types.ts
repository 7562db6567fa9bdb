/**
 * What calibration gives a method, per linear weight: statistics of the weight's input
 * activations X (rows = calibration tokens, cols = the weight's input dimension), accumulated
 * sequence by sequence so the activations themselves are never kept.
 *   hessian     (in, in)  H = Xᵀ X, f32, row-major (GPTQ, AWQ)
 *   colSqNorms  (in)      ‖X_j‖² = Σ_r X[r, j]², f32 (Wanda); equals diag(H) up to f32 order
 *   colAbsSums  (in)      Σ_r |X[r, j]|, f32, taken beside every Hessian (AWQ's activation size: mean |x_j| = it / rows)
 */
export const CALIBRATION_NEEDS = Object.freeze(['hessian', 'norms'] as const);
export type CalibrationNeed = (typeof CALIBRATION_NEEDS)[number];

export interface CalibrationStats {
  /** the graph tensor the statistics were taken from (the MatMul's A input) */
  input: string;
  /** rows of X accumulated (tokens) */
  rows: number;
  /** the weight's input dimension */
  cols: number;
  hessian?: Float32Array;
  colSqNorms?: Float32Array;
  colAbsSums?: Float32Array;
}

/** Where the calibration tokens came from, reported with every calibrated variant. */
export interface CalibrationSettings {
  dataset: string;
  /** sequences of `context` tokens each */
  sequences: number;
  context: number;
  /** first token index of the slice used, in the dataset's token stream */
  firstToken: number;
}
