// GPTQ with a pruning mask kept (masked.ts): every pruned weight exactly 0 after the error feedback
// (plain GPTQ on the same pruned weights fills them in), prune → RTN exactly with an identity
// Hessian, and a lower layer-output error than prune → RTN on correlated inputs.
import { describe, expect, it } from 'vitest';
import { magnitudePruneReference } from '../magnitude-prune/reference';
import { rtnReference } from '../rtn/reference';
import { correlatedLayer, lcg } from '../shared/correlated-layer';
import type { WeightTensor } from '../types';
import { gptqMaskedReference } from './masked';
import { gptqMeta } from './meta';
import { gptqReference } from './reference';

const K = 200;
const OUT = 24;
const ROWS = 400;
const layer = correlatedLayer(ROWS, K);
const r = lcg(3);
const dense: WeightTensor = { name: 'w', data: Float32Array.from({ length: OUT * K }, r), shape: [OUT, K], layout: 'out_in' };
const identity = new Float32Array(K * K).map((_, i) => (i % (K + 1) === 0 ? 1 : 0));

describe('gptq with a pruning mask', () => {
  it.each([0.5, 0.9])('prune %s then GPTQ: every pruned weight exactly 0, as many as the pruning made, act order off and on', (ratio) => {
    const pruned = magnitudePruneReference(dense, { ratio });
    const t = { ...dense, data: pruned.dequantized, calibration: { input: 'x', rows: ROWS, cols: K, hessian: layer.hessian } };
    for (const actOrder of [false, true]) {
      const g = gptqMaskedReference(t, gptqMeta.resolveOptions({ bits: 4, groupSize: 32, actOrder }), pruned.mask!);
      let zeros = 0;
      for (let i = 0; i < g.dequantized.length; i++) {
        if (pruned.mask![i]) continue;
        expect(Object.is(g.dequantized[i], 0), `weight ${i}`).toBe(true);
        zeros++;
      }
      expect(zeros).toBe(Math.round(ratio * K) * OUT);
    }
    // plain GPTQ on the pruned weights carries error into the pruned positions
    const plain = gptqReference(t, gptqMeta.resolveOptions({ bits: 4, groupSize: 32 }));
    expect(plain.dequantized.filter((w, i) => !pruned.mask![i] && w !== 0).length).toBeGreaterThan(0);
  });

  it.each([[32, false], [0, false], [32, true], [0, true]] as const)('with an identity Hessian it is prune → RTN, code for code (group %i, 0 = row; symmetric %s)', (groupSize, symmetric) => {
    const pruned = magnitudePruneReference(dense, { ratio: 0.5 });
    const t = { ...dense, data: pruned.dequantized, calibration: { input: 'x', rows: 1, cols: K, hessian: identity } };
    const g = gptqMaskedReference(t, gptqMeta.resolveOptions({ bits: 4, groupSize, symmetric }), pruned.mask!);
    const rtn = rtnReference({ ...dense, data: pruned.dequantized }, { bits: 4, groupSize, symmetric });
    expect(Array.from(g.codes!)).toEqual(Array.from(rtn.codes!));
    expect(Array.from(g.dequantized)).toEqual(Array.from(rtn.dequantized));
  });

  it.each([[4, 0.5], [3, 0.5], [4, 0.25]] as const)('INT%i after %s pruning: a lower layer-output error than prune → RTN', (bits, ratio) => {
    const pruned = magnitudePruneReference(dense, { ratio });
    const t = { ...dense, data: pruned.dequantized, calibration: { input: 'x', rows: ROWS, cols: K, hessian: layer.hessian } };
    const rtn = rtnReference({ ...dense, data: pruned.dequantized }, { bits, groupSize: 32, symmetric: false });
    const g = gptqMaskedReference(t, gptqMeta.resolveOptions({ bits, groupSize: 32 }), pruned.mask!);
    // error against the dense layer: what the pruned and quantized layer gives up in all
    const [eG, eR, eP] = [g.dequantized, rtn.dequantized, pruned.dequantized].map((d) => layer.outputError(dense.data, d, OUT));
    console.log(`prune ${ratio * 100} % → INT${bits} g32, ‖X(W − Ŵ)ᵀ‖²: GPTQ (mask kept) ${eG.toFixed(1)}, RTN ${eR.toFixed(1)}, pruning alone ${eP.toFixed(1)}`);
    expect(eG).toBeLessThan(eR);
  });

  it('refuses a mask of the wrong size', () => {
    const t = { ...dense, calibration: { input: 'x', rows: 1, cols: K, hessian: identity } };
    expect(() => gptqMaskedReference(t, gptqMeta.resolveOptions({}), new Uint8Array(3))).toThrow(/a mask of 3 for 4800 weights/);
  });
});
