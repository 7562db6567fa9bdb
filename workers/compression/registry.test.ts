// compressTensor on the cpu device: dispatch, validation and stats for every method.
import { describe, expect, it } from 'vitest';
import { METHOD_IDS } from '../api';
import { compressTensor, METHOD_METAS, METHODS } from './registry';
import type { WeightTensor } from './types';
import { withUnitCalibration } from '../calibration/unit-stats';

const tensor: WeightTensor = { name: 'fc', data: new Float32Array([0.5, -1, 0.25, 2, 0, -0.75]), shape: [2, 3], layout: 'out_in' };

describe('registry', () => {
  it('lists every method id of the worker API', () => {
    expect(Object.keys(METHODS).sort()).toEqual([...METHOD_IDS].sort());
    expect(METHOD_METAS.map((m) => m.id)).toEqual([...METHOD_IDS]);
  });

  it.each(METHOD_IDS)('%s runs on the cpu with stats and defaults', async (id) => {
    const r = await compressTensor(id, {}, withUnitCalibration(tensor, METHODS[id].meta), 'cpu');
    expect(r.method).toBe(id);
    expect(r.device).toBe('cpu');
    expect(r.dequantized).toHaveLength(6);
    expect(r.stats.name).toBe('fc');
    expect(r.stats.params).toBe(6);
    expect(r.stats.relFrobeniusError).toBeLessThan(['magnitude-prune', 'wanda', 'sparsegpt', 'nm-prune', 'global-prune'].includes(id) ? 0.5 : 0.1);
    // {} and the defaults name the same variant (gptq's resolved options leave symmetric out when false, so asymmetric ids stay)
    expect(r.options).toEqual(METHODS[id].meta.resolveOptions(METHODS[id].meta.defaults as never));
    expect(Array.from(tensor.data)).toEqual([0.5, -1, 0.25, 2, 0, -0.75]);
  });

  it('rejects bad methods, options, devices and tensors with the choices named', async () => {
    await expect(compressTensor('nope' as never, {}, tensor, 'cpu')).rejects.toThrow(/magnitude-prune, int8-channel, int4-group/);
    await expect(compressTensor('int4-group', { groupSize: 7 }, tensor, 'cpu')).rejects.toMatchObject({ name: 'BadOption' });
    await expect(compressTensor('int8-channel', {}, tensor, 'tpu' as never)).rejects.toThrow(/webgpu or cpu/);
    const bad = { ...tensor, data: new Float32Array([1, NaN, 0, 0, 0, 0]) };
    await expect(compressTensor('int8-channel', {}, bad, 'cpu')).rejects.toThrow(/not finite/);
    await expect(compressTensor('int8-channel', {}, { ...tensor, shape: [3, 3] }, 'cpu')).rejects.toThrow(/needs 9 values, got 6/);
  });
});
