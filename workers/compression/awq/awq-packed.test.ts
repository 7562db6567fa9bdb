// AWQ's packed form (formats/input-scale.ts, packed-model.ts) in onnxruntime-node: a real
// MatMulNBits model whose perplexity equals the simulated f32 twin's within 0.5 %, with 1/s folded
// into each LayerNorm that feeds only scaled layers (GPT-2's ln_1 → c_attn, ln_2 → c_fc) and a Mul
// in front of the others (attention output → c_proj, GELU → c_proj, ln_f → Reshape → head); on the
// tiny Llama (decomposed RMSNorm: Mul by γ) q/k/v and gate/up read one norm and fold only when the
// search gave them the same α (so the same s), else each gets a Mul; the head folds into the final norm.
import { describe, expect, it } from 'vitest';
import { Job } from '../../jobs';
import { parseModel } from '../../model/onnx-graph';
import { makeVariant } from '../../variants/make-variant';
import { nodeCaptureRunner } from '../../../tests/capture-runner-node';
import { loadDemoLm, loadFolder, pplOfBytes } from '../../../tests/local-models';

const WINDOW = { tokens: 1024, context: 128, stride: 128 };

async function packedAndSimulated(model: ReturnType<typeof loadDemoLm>) {
  // the LM head opted in (left f32 by default): its scales fold into the final norm
  const v = await makeVariant(model, { method: 'awq', options: { bits: 4, groupSize: 32, samples: 8 }, head: true }, 'cpu', new Job('awq'), { captureRunner: nodeCaptureRunner, simulated: true });
  const graph = parseModel(v.packedBytes).proto.graph!;
  const ops = (t: string) => graph.node.filter((n) => n.opType === t).length;
  const packed = await pplOfBytes(model, v.packedBytes, WINDOW);
  const simulated = await pplOfBytes(model, v.simulatedBytes!, WINDOW);
  const baseline = await pplOfBytes(model, model.baselineBytes, WINDOW);
  console.log(`${model.summary.name}: AWQ-4 g32 packed ${packed.toFixed(4)} vs simulated ${simulated.toFixed(4)} (baseline ${baseline.toFixed(4)}); ${v.packedBytes.length} vs ${v.simulatedBytes!.length} bytes; ${ops('MatMulNBits')} MatMulNBits, ${graph.node.filter((n) => n.name.endsWith('_awq')).length} input Muls; ${v.summary.format}`);
  return { v, packed, simulated, ops, muls: graph.node.filter((n) => n.name.endsWith('_awq')).length };
}

describe('AWQ packed', () => {
  it('brown-gpt2-tiny: MatMulNBits with 1/s in the LayerNorms, ppl = simulated within 0.5 %', async () => {
    const model = loadDemoLm('brown-gpt2-tiny');
    const r = await packedAndSimulated(model);
    expect(r.v.summary.label).not.toMatch(/simulated/);
    expect(r.v.summary.format).not.toMatch(/simulated/);
    expect(r.ops('MatMulNBits')).toBe(model.linear.length);
    // two layers a block read a LayerNorm (folded), the rest get a Mul
    const blocks = model.linear.filter((w) => /c_attn/.test(w.name)).length;
    expect(r.muls).toBe(model.linear.length - 2 * blocks);
    // the f32 embedding and position tables are most of this small model's bytes
    expect(r.v.packedBytes.length).toBeLessThan(r.v.simulatedBytes!.length);
    expect(Math.abs(r.packed / r.simulated - 1)).toBeLessThan(0.005);
  }, 120_000);

  it('tiny Llama: 1/s folded into the RMSNorm γ or a Mul per layer, ppl = simulated within 0.5 %', async () => {
    const model = loadFolder('e2e/fixtures/tiny-llama');
    const r = await packedAndSimulated(model);
    expect(r.ops('MatMulNBits')).toBe(model.linear.length);
    // o_proj and down_proj read no norm: a Mul each at least; the head reads the final norm alone: folded
    expect(r.muls).toBeGreaterThanOrEqual(4);
    expect(r.muls).toBeLessThan(model.linear.length);
    expect(Math.abs(r.packed / r.simulated - 1)).toBeLessThan(0.005);
  }, 120_000);
});
