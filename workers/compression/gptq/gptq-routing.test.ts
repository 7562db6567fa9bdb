// Which GPTQ path the registry takes on WebGPU: a weight with a pruning mask goes through the
// WGSL masked loop (gptqMaskedGpu), one without through gptqGpu; the CPU device through the TS
// loops. (e2e/gptq-awq-wgsl.spec.ts holds each WGSL path equal to its TS one through this registry.)
import { describe, expect, it, vi } from 'vitest';
import type { WeightTensor } from '../types';

vi.mock('./masked', () => ({ gptqMaskedGpu: vi.fn(async () => 'masked wgsl'), gptqMaskedReference: vi.fn(() => 'masked ts') }));
vi.mock('./gpu', () => ({ gptqGpu: vi.fn(async () => 'wgsl') }));

const { METHODS } = await import('../registry');
const t = { name: 'w', data: new Float32Array(4), shape: [2, 2], layout: 'out_in' } as WeightTensor;
const device = {} as GPUDevice;

describe('gptq routing', () => {
  it('runs the masked loop in WGSL on WebGPU when the weight has a mask', async () => {
    expect(await METHODS.gptq.gpu(device, { ...t, mask: new Uint8Array(4) }, {})).toBe('masked wgsl');
    expect(await METHODS.gptq.gpu(device, t, {})).toBe('wgsl');
    expect(METHODS.gptq.reference({ ...t, mask: new Uint8Array(4) }, {})).toBe('masked ts');
  });
});
