// ep-probe.ts's tiny graphs in onnxruntime-node (the CPU EP, the kernels the WASM EP builds on):
// the probes compute what they say, and the CPU EP agrees with EP_RUNS' WASM column, but for one
// difference worth knowing: at graph optimization 'extended' and above onnxruntime-node fuses
// DequantizeLinear(int8) → MatMul into a MatMul that quantizes the activations to 8 bits too
// (0.4 % off the f32 maths here), which onnxruntime-web 1.30's WASM build does not (1.8e-7 in
// Chromium, e2e/packed.spec.ts). The browser EPs are checked against the table in e2e/packed.spec.ts.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { formProbes, PROBE_TOLERANCE, relativeError } from './ep-probe';
import { EP_RUNS, FORM_IDS, type EpVerdict } from './ep-support';

async function verdicts(level: 'basic' | 'all'): Promise<Record<string, { verdict: EpVerdict; err: number }>> {
  const out: Record<string, { verdict: EpVerdict; err: number }> = {};
  for (const p of formProbes()) {
    let s: ort.InferenceSession;
    try {
      s = await ort.InferenceSession.create(p.bytes, { graphOptimizationLevel: level, logSeverityLevel: 3 });
    } catch {
      out[p.id] = { verdict: 'refused', err: Infinity };
      continue;
    }
    const all = { x: new ort.Tensor('float32', p.x, [3, p.x.length / 3]), ...(p.ids ? { ids: new ort.Tensor('int64', p.ids, [p.ids.length]) } : {}) };
    const r = await s.run(Object.fromEntries(Object.entries(all).filter(([k]) => s.inputNames.includes(k))), ['y']);
    const err = relativeError(r.y.data as Float32Array, p.expected);
    out[p.id] = { verdict: err < PROBE_TOLERANCE ? true : 'wrong', err };
    await s.release();
  }
  return out;
}

describe('packed-form probes in onnxruntime-node', () => {
  it('compute the f32 maths wherever the WASM EP does, and 3-bit is refused', async () => {
    const basic = await verdicts('basic');
    expect(Object.keys(basic)).toEqual([...FORM_IDS]);
    for (const id of FORM_IDS) expect(basic[id].verdict, id).toBe(EP_RUNS[id].wasm);
  });

  it("fuses int8 DequantizeLinear → MatMul into an activation-quantized MatMul at 'all' (the web build does not)", async () => {
    const all = await verdicts('all');
    expect(all['qdq-int8'].verdict).toBe('wrong');
    expect(all['qdq-int8'].err).toBeGreaterThan(1e-3);
    expect(all['qdq-int8'].err).toBeLessThan(2e-2);
    expect(all['nbits8'].verdict).toBe(true);
  });
});
