// The per-layer panel offers issue 9's per-tensor stats: besides relative error, sparsity and SQNR,
// max abs error, bits per weight (with scales and zero points) and the calibration loss, which a
// method without one (RTN, magnitude pruning) shows as "—" and says why, and which the panel explains.
import { describe, expect, it } from 'vitest';
import type { TensorStats } from '../../workers/api';
import { LAYER_METRICS, metricCell } from './LayerPanel';

const stats = (name: string, extra: Partial<TensorStats> = {}): TensorStats => ({ name, params: 4096, sparsity: 0, relFrobeniusError: 0.05, sqnrDb: 26, bitsPerWeight: 4.25, maxAbsError: 0.0123, ...extra });

describe('per-layer stats', () => {
  it('offers max abs error, bits per weight and calibration loss beside error, sparsity and SQNR', () => {
    const labels = Object.values(LAYER_METRICS).map((m) => m.label);
    expect(labels).toEqual(expect.arrayContaining([expect.stringMatching(/^relative error/), expect.stringMatching(/^sparsity/), expect.stringMatching(/^SQNR/), expect.stringMatching(/^max abs error/), expect.stringMatching(/^bits per weight/), expect.stringMatching(/^calibration loss/)]));
    const gptq = stats('h.0.mlp.fc.weight', { calibrationLoss: 31.5 });
    expect(metricCell(LAYER_METRICS.maxAbs, gptq)).toMatchObject({ value: 0.0123, text: '0.0123' });
    expect(metricCell(LAYER_METRICS.bits, gptq)).toMatchObject({ value: 4.25, text: '4.25' });
    expect(metricCell(LAYER_METRICS.calibrationLoss, gptq)).toMatchObject({ value: 31.5, text: '31.5' });
  });

  it('a tensor without a calibration loss shows — and says the method has none', () => {
    const rtn = metricCell(LAYER_METRICS.calibrationLoss, stats('h.0.mlp.fc.weight'));
    expect(rtn.value).toBeUndefined();
    expect(rtn.title).toContain('calibration loss');
    expect(rtn.title).toContain('this method has no calibration loss');
    // Wanda's is its own objective, labelled as the diagonal estimate it is
    expect(LAYER_METRICS.calibrationLoss.label).toContain('Wanda: diagonal estimate');
    expect(LAYER_METRICS.calibrationLoss.how).toContain('½ Σ ΔW_ij² ‖X_j‖²');
    expect(LAYER_METRICS.calibrationLoss.how).toContain('½ Σ ‖(W−Ŵ)x‖² over the calibration tokens');
  });

  it('the panel\'s "colour by" list (built from LAYER_METRICS) holds the six stats', () => {
    expect(Object.keys(LAYER_METRICS)).toEqual(['error', 'sparsity', 'sqnr', 'maxAbs', 'bits', 'calibrationLoss']);
  });
});
