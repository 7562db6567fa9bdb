// The compression laws on the default demo LM (issue 9; brown-gpt2-tiny, bench-methods.ts LAWS_MODEL),
// measured the way `npm run bench` measures them (scripts/bench-methods.ts: the lab's packed variants
// in onnxruntime-node), on fewer tokens:
// INT8 moves perplexity by less than 1 %, 90 % magnitude pruning is catastrophic, and 2:4 is
// worse than 50 % unstructured magnitude pruning. Skipped when the demo model is absent.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { benchMethods, CATASTROPHIC_FACTOR, LAW_METHODS, LAWS_MODEL } from '../scripts/bench-methods';

const haveDemo = existsSync(`public/models/${LAWS_MODEL}/onnx/model.onnx`);

describe.skipIf(!haveDemo)(`compression laws on the default demo LM (${LAWS_MODEL}, onnxruntime-node, 1,024 tokens)`, () => {
  it('INT8 < 1 %, 90 % magnitude catastrophic, 2:4 above 50 % unstructured', async () => {
    const r = await benchMethods({ tokens: 1024, context: 256, stride: 256 }, LAW_METHODS);
    expect(r.methods_model).toBe(LAWS_MODEL);
    for (const [name, law] of Object.entries(r.laws)) console.log(`${name}: ${law.holds} ${JSON.stringify(law.values)}`);
    expect(Object.keys(r.laws).sort()).toEqual(['int8_delta_ppl_below_1pct', 'magnitude_90_catastrophic', 'nm_2_4_above_unstructured_50']);
    expect(r.laws.int8_delta_ppl_below_1pct.holds).toBe(true);
    expect(r.methods.magnitude_90.ppl).toBeGreaterThan(CATASTROPHIC_FACTOR * r.methods_baseline_ppl);
    expect(r.laws.nm_2_4_above_unstructured_50.holds).toBe(true);
    // every method is scored against the base: KL is 0 only for an unchanged model
    for (const m of Object.values(r.methods)) expect(m.kld_mean).toBeGreaterThan(0);
  }, 300_000);
});
