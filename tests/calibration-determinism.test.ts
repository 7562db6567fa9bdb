/**
 * Calibration is deterministic (issue 9) on the CPU path, in Node on the default demo LM
 * (brown-gpt2-tiny): the capture model run by onnxruntime-node, the statistics accumulated by
 * the TS reference (the cpu kernel device).
 *   - the column norms (Wanda's statistic) and the Hessians (GPTQ's, AWQ's, SparseGPT's) of every
 *     linear layer, calibrated twice on the same sequences, are equal bit for bit;
 *   - a whole calibrated variant (GPTQ-4 g128, the lab's default settings) made twice gives the
 *     same packed model byte for byte. The two makes use two separately loaded models: the
 *     variant maker keeps one model's statistics for its next variant (calibration/for-variant.ts),
 *     which would let the second make skip the calibration it is meant to repeat.
 * The WGSL Hessian's determinism is checked in Chromium (e2e/calibration.spec.ts, 'twice' cases).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrationSource } from '../workers/calibration/calibrate';
import type { CalibrationNeed } from '../workers/calibration/types';
import { Job } from '../workers/jobs';
import { buildModel, gatherFiles, type DroppedFile, type LoadedModel } from '../workers/model/load';
import { makeVariant } from '../workers/variants/make-variant';
import { nodeCaptureRunner } from './capture-runner-node';
import { LAWS_MODEL } from '../scripts/bench-methods';

const DIR = join('public', 'models', LAWS_MODEL);

function load(): LoadedModel {
  const file = (path: string): DroppedFile => {
    const b = readFileSync(join(DIR, path));
    return { path, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  };
  return buildModel(gatherFiles(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].map(file)), readFileSync('public/datasets/brown-test.txt', 'utf8'));
}

describe(`calibration is deterministic on the CPU path (${LAWS_MODEL})`, () => {
  const model = load();

  it.each(['norms', 'hessian'] as const)('%s: two runs over the same 3 sequences give the same statistics bit for bit', async (need: CalibrationNeed) => {
    const run = async () => {
      const src = calibrationSource(model, model.linear, new Job(`determinism-${need}`), { need, sequences: 3, runner: nodeCaptureRunner });
      const out: Float32Array[] = [];
      for (const w of model.linear) {
        const s = await src.statsFor(w.name);
        out.push(need === 'norms' ? s.colSqNorms! : s.hessian!);
      }
      return out;
    };
    const [a, b] = [await run(), await run()];
    expect(a.length).toBe(model.linear.length);
    for (let l = 0; l < a.length; l++) {
      expect(a[l].length, model.linear[l].name).toBeGreaterThan(0);
      // the bytes, so that -0 against 0 or two NaNs would count as different
      expect(Buffer.from(b[l].buffer, b[l].byteOffset, b[l].byteLength).equals(Buffer.from(a[l].buffer, a[l].byteOffset, a[l].byteLength)), model.linear[l].name).toBe(true);
    }
  });

  it('GPTQ-4 g128 made twice (calibration included) gives the same packed model byte for byte', async () => {
    const make = async () => (await makeVariant(load(), { method: 'gptq', options: { bits: 4, groupSize: 128, samples: 2 } }, 'cpu', new Job('gptq4-twice'), { captureRunner: nodeCaptureRunner })).packedBytes;
    const [a, b] = [await make(), await make()];
    expect(a.length).toBeGreaterThan(0);
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
  });
});
