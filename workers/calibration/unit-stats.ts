/**
 * Neutral calibration statistics for tests that loop over every method without a model: an
 * identity Hessian with unit column |x| sums (GPTQ and AWQ then equal round to nearest) and unit column norms (Wanda then ranks
 * by |w| per row). Never used by the engine, which always calibrates on text.
 */
import { linearView } from '../compression/layout';
import type { MethodMeta, WeightTensor } from '../compression/types';

export function withUnitCalibration(tensor: WeightTensor, meta: Pick<MethodMeta, 'calibration'>): WeightTensor {
  if (!meta.calibration) return tensor;
  const k = linearView(tensor.shape, tensor.layout).inDim;
  if (meta.calibration === 'norms') return { ...tensor, calibration: { input: 'unit', rows: 1, cols: k, colSqNorms: new Float32Array(k).fill(1) } };
  const hessian = new Float32Array(k * k);
  for (let i = 0; i < k; i++) hessian[i * k + i] = 1;
  return { ...tensor, calibration: { input: 'unit', rows: 1, cols: k, hessian, colAbsSums: new Float32Array(k).fill(1) } };
}
