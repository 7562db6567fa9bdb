/**
 * Block passes (block-passes.ts) on the default demo LM in onnxruntime-node: with a budget that
 * forces a pass per block, every pass after the first is fed the residual stream the pass before
 * captured, and the statistics equal those of passes that each run the model from the token ids.
 */
import { describe, expect, it } from 'vitest';
import { Job } from '../jobs';
import { calibrationSource, type CaptureRunner } from './calibrate';
import { captureSubgraph } from './capture-graph';
import { nodeCaptureRunner } from '../../tests/capture-runner-node';
import { loadDemoLm } from '../../tests/local-models';

describe('block passes', () => {
  const model = loadDemoLm('brown-gpt2-tiny');
  // a Hessian of the MLP's 256 inputs is 256 KB: one block's four inputs fit 400 KB, two do not
  const maxPassBytes = 400 * 1024;

  async function hessians(blockPasses: boolean, runner: CaptureRunner = nodeCaptureRunner) {
    const src = calibrationSource(model, model.linear, new Job('block-passes'), { need: 'hessian', sequences: 2, runner, maxPassBytes, blockPasses });
    const out: Float32Array[] = [];
    for (const w of model.linear) out.push((await src.statsFor(w.name)).hessian!);
    return { src, out };
  }

  it('a pass per block, each fed the residual stream where it starts; the same Hessians as whole-model passes', async () => {
    const sizes: number[] = [];
    const fed: boolean[] = [];
    const counting: CaptureRunner = async (bytes, outputs) => {
      sizes.push(bytes.length);
      const s = await nodeCaptureRunner(bytes, outputs);
      return { run: (ids, hidden) => (fed.push(!!hidden), s.run(ids, hidden)), close: s.close };
    };
    const blocks = await hessians(true, counting);
    const plain = await hessians(false);
    // a pass per block; the head's 16 KB input joins the last block's pass
    expect(blocks.src.plan.map((p) => p.inputs.length)).toEqual([4, 4, 4, 5]);
    expect(blocks.src.plan[0].from).toBeUndefined();
    for (const p of blocks.src.plan.slice(1)) expect(p.from).toBeTruthy();
    expect(fed).toEqual([false, false, ...Array(6).fill(true)]);
    // a middle block's capture model holds that block, not the embeddings and the head
    expect(sizes[1]).toBeLessThan(0.25 * model.baselineBytes.length);
    let worst = 0;
    blocks.out.forEach((h, k) => {
      const p = plain.out[k];
      expect(h.length).toBe(p.length);
      for (let i = 0; i < h.length; i++) worst = Math.max(worst, Math.abs(h[i] - p[i]) / Math.max(1e-6, Math.abs(p[i])));
    });
    console.log(`block passes vs whole-model passes: ${blocks.src.plan.length} passes, capture model bytes ${sizes.join(', ')} (model ${model.baselineBytes.length}), worst relative difference ${worst}`);
    expect(worst).toBe(0); // measured: bit for bit (onnxruntime-node CPU EP)
  });

  it('refuses a cut that is not on the way to the outputs', () => {
    expect(() => captureSubgraph(model.parsed, [model.parsed.outputNames[0]], 'no-such-tensor')).toThrow(/not on the way/);
  });
});
