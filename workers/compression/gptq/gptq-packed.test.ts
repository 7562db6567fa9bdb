// GPTQ's symmetric and whole-row grids are packed as rtn packs them (formats/form-of.ts, one
// function for both): the MatMulNBits weight unpacks to GPTQ's dequantized weights exactly (codes
// offset by 2^(k-1) with that zero point when symmetric; a row's grid repeated in every block),
// and the bits per weight GPTQ reports are the packed bytes'. A 3-bit variant is f32, simulated.
import { describe, expect, it } from 'vitest';
import { packedFormOf } from '../../formats/form-of';
import { nbitsBytes, unpackNBits } from '../../formats/matmul-nbits';
import { correlatedLayer, lcg } from '../shared/correlated-layer';
import type { WeightLayout, WeightTensor } from '../types';
import { gptqMeta } from './meta';
import { gptqReference } from './reference';

const K = 200;
const OUT = 12;
const hessian = correlatedLayer(300, K).hessian; // correlated: errors are carried, codes differ from RTN's

function tensor(layout: WeightLayout): WeightTensor {
  const r = lcg(5);
  const shape: [number, number] = layout === 'out_in' ? [OUT, K] : [K, OUT];
  return { name: 'w', data: Float32Array.from({ length: OUT * K }, () => r() - 0.5), shape, layout, calibration: { input: 'x', rows: 300, cols: K, hessian } };
}

/** (out, in) row-major, as unpackNBits gives it */
function outIn(t: WeightTensor, values: Float32Array): Float32Array {
  if (t.layout === 'out_in') return values;
  return Float32Array.from({ length: OUT * K }, (_, e) => values[(e % K) * OUT + Math.floor(e / K)]);
}

describe('gptq packed as rtn packs', () => {
  for (const layout of ['out_in', 'in_out'] as const) {
    for (const bits of [8, 4, 2] as const) {
      it.each([[32, false], [0, false], [64, true], [0, true]] as const)(`INT${bits} ${layout}, group %i (0 = row), symmetric %s: MatMulNBits unpacks to GPTQ's weights`, (groupSize, symmetric) => {
        const t = tensor(layout);
        const options = gptqMeta.resolveOptions({ bits, groupSize, symmetric });
        const parts = gptqReference(t, options);
        const form = packedFormOf('gptq', options, parts, { shape: [...t.shape], layout: t.layout });
        if (form.kind !== 'nbits') throw new Error(`expected MatMulNBits, got ${form.kind}`);
        expect(form.weight.blockSize).toBe(groupSize || 128);
        expect(Array.from(unpackNBits(form.weight))).toEqual(Array.from(outIn(t, parts.dequantized)));
        const bytes = nbitsBytes(bits, form.weight.blockSize, OUT, K);
        expect(gptqMeta.bitsPerWeight(options, { outDim: OUT, inDim: K })).toBe((8 * bytes) / (OUT * K));
      });
    }
  }

  it('stores 3-bit symmetric and whole-row GPTQ as f32, simulated', () => {
    const t = tensor('out_in');
    const options = gptqMeta.resolveOptions({ bits: 3, groupSize: 0, symmetric: true });
    const parts = gptqReference(t, options);
    const form = packedFormOf('gptq', options, parts, { shape: [...t.shape], layout: t.layout });
    expect(form.kind).toBe('f32');
    expect(form.kind === 'f32' && form.simulated).toMatch(/3-bit|bits 3/);
  });
});
