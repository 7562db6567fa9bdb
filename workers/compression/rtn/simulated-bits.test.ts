// A 3-bit variant is stored f32 (no EP runs 3-bit weights), so its size is a count, not bytes:
// the same setting must read the same bits per weight whichever method made it (the bench once
// showed GPTQ-3 g128 at 6.32 bits beside RTN-3 g128 at 3.52 on the same 64-wide layers).
import { describe, expect, it } from 'vitest';
import { rtnMeta } from './meta';
import { gptqMeta } from '../gptq/meta';
import { awqMeta } from '../awq/meta';

describe('simulated 3-bit size', () => {
  for (const dims of [{ outDim: 64, inDim: 64 }, { outDim: 256, inDim: 64 }, { outDim: 768, inDim: 3072 }, { outDim: 13, inDim: 7 }]) {
    for (const groupSize of [32, 64, 128] as const) {
      it(`${dims.outDim}x${dims.inDim} g${groupSize}: rtn = GPTQ, AWQ = that + its f32 input scale`, () => {
        const rtn = rtnMeta.bitsPerWeight(rtnMeta.resolveOptions({ bits: 3, groupSize, symmetric: false }), dims);
        const gptq = gptqMeta.bitsPerWeight(gptqMeta.resolveOptions({ bits: 3, groupSize }), dims);
        const awq = awqMeta.bitsPerWeight(awqMeta.resolveOptions({ bits: 3, groupSize }), dims);
        expect(gptq).toBe(rtn);
        expect(awq).toBeCloseTo(rtn + 32 / dims.outDim, 12);
        // codes + a 32-bit scale and a 3-bit zero point per group of at most groupSize
        expect(rtn).toBeCloseTo(3 + (Math.ceil(dims.inDim / groupSize) * 35) / dims.inDim, 12);
      });
    }
  }
});
