// AWQ reports a calibration loss per tensor as GPTQ does (issue 9: per-tensor stats, calibration
// loss where there is one): ½ Σ ‖(W − Ŵ) x‖² over the calibration tokens, the quantity GPTQ's
// Σ (w − q)² / U_aa² / 2 adds up, so the two methods' losses on one layer read on one scale.
import { describe, expect, it } from 'vitest';
import { accumulateColAbsSums, accumulateHessian } from '../../calibration/accumulate';
import { compressTensor } from '../registry';
import { GPTQ_DAMP } from '../gptq/meta';
import type { WeightTensor } from '../types';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
}

describe('AWQ calibration loss', () => {
  it('is ½ the layer output error on the calibration tokens, on the scale of GPTQ\'s', async () => {
    const [k, out, rows] = [64, 12, 160];
    const r = lcg(11);
    const x = Float32Array.from({ length: rows * k }, (_, f) => r() * (f % k % 8 === 0 ? 20 : 1));
    const hessian = new Float32Array(k * k);
    accumulateHessian(hessian, x, rows, k);
    const colAbsSums = new Float32Array(k);
    accumulateColAbsSums(colAbsSums, x, rows, k);
    const t: WeightTensor = { name: 'w', data: Float32Array.from({ length: out * k }, r), shape: [out, k], layout: 'out_in', calibration: { input: 'x', rows, cols: k, hessian, colAbsSums } };
    const halfErr = (deq: Float32Array) => {
      let e = 0;
      for (let n = 0; n < rows; n++) for (let o = 0; o < out; o++) {
        let d = 0;
        for (let i = 0; i < k; i++) d += x[n * k + i] * (t.data[o * k + i] - deq[o * k + i]);
        e += d * d;
      }
      return e / 2;
    };
    const awq = await compressTensor('awq', { bits: 4, groupSize: 32 }, t, 'cpu');
    expect(awq.stats.calibrationLoss).toBeDefined();
    expect(Math.abs(awq.stats.calibrationLoss! / halfErr(awq.dequantized) - 1)).toBeLessThan(1e-4);
    // GPTQ's loss is the same quantity on its dampened Hessian H + λI (λ = GPTQ_DAMP · mean diagonal)
    const gptq = await compressTensor('gptq', { bits: 4, groupSize: 32 }, t, 'cpu');
    let meanDiag = 0;
    for (let i = 0; i < k; i++) meanDiag += hessian[i * k + i] / k;
    const sq = gptq.dequantized.reduce((a, q, f) => a + (t.data[f] - q) ** 2, 0);
    const damped = halfErr(gptq.dequantized) + (GPTQ_DAMP * meanDiag * sq) / 2;
    expect(Math.abs(gptq.stats.calibrationLoss! / damped - 1)).toBeLessThan(1e-3);
  });
});
