// GPTQ on a pruned model (issue 9 "Combined"): magnitude pruning, then GPTQ with the mask kept,
// as one variant on the default demo LM in onnxruntime-node (calibration captured by
// onnxruntime-node). Every weight the pruning removed is exactly 0 in the packed model's twin,
// the packed model equals that twin, and the variant is compared with prune → RTN (same grid:
// asymmetric, group 32, range with 0) on the same tokens.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { magnitudePruneReference } from '../compression/magnitude-prune/reference';
import { Job } from '../jobs';
import { parseModel, readF32 } from '../model/onnx-graph';
import { loadDemoLm, logitsOfBytes as logits, pplOfBytes } from '../../tests/local-models';
import { nodeCaptureRunner } from '../../tests/capture-runner-node';
import { makeVariant } from './make-variant';

const haveTiny = existsSync('public/models/brown-gpt2-tiny/onnx/model.onnx');

describe.skipIf(!haveTiny)('prune 50 % then GPTQ INT4 on brown-gpt2-tiny', () => {
  it('keeps every pruned weight at exactly 0, packs to its twin, and scores below prune → RTN', async () => {
    const model = loadDemoLm('brown-gpt2-tiny');
    // every linear weight, the LM head opted in (the lab leaves it f32 by default)
    const prune = { method: 'magnitude-prune', options: { ratio: 0.5 }, head: true } as const;
    const gptq = await makeVariant(model, { ...prune, then: { method: 'gptq', options: { bits: 4, groupSize: 32, samples: 8 } } }, 'cpu', new Job('p+g'), { simulated: true, captureRunner: nodeCaptureRunner });
    const rtn = await makeVariant(model, { ...prune, then: { method: 'rtn', options: { bits: 4, groupSize: 32, symmetric: false } } }, 'cpu', new Job('p+r'));
    const alone = await makeVariant(model, prune, 'cpu', new Job('p'));
    expect(gptq.summary.label).toMatch(/^prune 50 % → GPTQ INT4/);
    expect(gptq.summary.calibration?.sequences).toBe(8);
    const twin = parseModel(gptq.simulatedBytes!);
    let pruned = 0;
    for (const w of model.linear) {
      const source = readF32(model.parsed.tensors.get(w.name)!);
      const mask = magnitudePruneReference({ name: w.name, data: source, shape: w.shape, layout: w.layout }, { ratio: 0.5 }).mask!;
      const got = readF32(twin.tensors.get(w.name)!);
      for (let i = 0; i < mask.length; i++) {
        if (mask[i]) continue;
        pruned++;
        if (got[i] !== 0) throw new Error(`${w.name}[${i}] = ${got[i]}, pruned`);
      }
    }
    expect(pruned).toBeGreaterThan(0.49 * model.summary.linearParams);
    const ids = model.datasetIds.subarray(0, 64);
    const [a, b] = [await logits(gptq.packedBytes, ids), await logits(gptq.simulatedBytes!, ids)];
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    expect(maxDiff).toBeLessThan(1e-3);
    const w = { tokens: 1024, context: 256, stride: 256 };
    const [pG, pR, pP, pBase] = [await pplOfBytes(model, gptq.packedBytes, w), await pplOfBytes(model, rtn.packedBytes, w), await pplOfBytes(model, alone.packedBytes, w), await pplOfBytes(model, model.baselineBytes, w)];
    const loss = gptq.summary.tensors.reduce((s, t) => s + (t.calibrationLoss ?? 0), 0);
    console.log(`tiny, 1,024 tokens: baseline ${pBase.toFixed(3)}, prune 50 % ${pP.toFixed(3)}, → RTN INT4 g32 ${pR.toFixed(3)}, prune 50 % → GPTQ INT4 g32 (mask kept, 8 × 256 calibration tokens) ${pG.toFixed(3)}; GPTQ calibration loss Σ ${loss.toFixed(2)}; packed vs twin max |Δlogit| ${maxDiff.toExponential(2)}`);
    expect(loss).toBeGreaterThan(0);
    // deterministic (calibration and onnxruntime-node's CPU EP): GPTQ's error feedback recovers part of RTN's rounding cost
    expect(pG).toBeLessThan(pR);
    expect(pG).toBeGreaterThan(pP);
  });
});
