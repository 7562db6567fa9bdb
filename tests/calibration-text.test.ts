/**
 * Calibration on the user's own text (issue 9): a calibrated variant whose options name a dropped
 * .txt (options.calibrationText, workers/calibration/text-ref.ts) is calibrated on that text's
 * tokens, on the small demo LM in onnxruntime-node (Wanda, 2 sequences, cpu kernels):
 *   the built-in text's own bytes dropped as a file give the variant made on the built-in text, byte for byte;
 *   another text gives other masks, its name in the summary, and fewer sequences when it is short;
 *   the id and label say which text; a text the worker does not hold, or other bytes, are refused by name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { calibrationTextRef } from '../workers/calibration/text-ref';
import { putCalibrationText } from '../workers/calibration/texts';
import { Job } from '../workers/jobs';
import { buildModel, gatherFiles, type DroppedFile, type LoadedModel } from '../workers/model/load';
import { makeVariant, variantId } from '../workers/variants/make-variant';
import { nodeCaptureRunner } from './capture-runner-node';

const DIR = join('public', 'models', 'brown-gpt2-mini');
const BUILT_IN = readFileSync('public/datasets/brown-test.txt');

describe('calibration on a dropped .txt', () => {
  let model: LoadedModel;
  let builtIn: Awaited<ReturnType<typeof makeVariant>>;
  const make = (calibrationText?: string, samples = 2) =>
    makeVariant(model, { method: 'wanda', options: { ratio: 0.5, samples, ...(calibrationText ? { calibrationText } : {}) } }, 'cpu', new Job('calib-text'), { captureRunner: nodeCaptureRunner });

  beforeAll(() => {
    const file = (path: string): DroppedFile => {
      const b = readFileSync(join(DIR, path));
      return { path, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
    };
    model = buildModel(gatherFiles(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].map(file)), BUILT_IN.toString('utf8'));
  });

  it('the built-in text dropped as a file calibrates exactly like the built-in text', async () => {
    const data = new Uint8Array(BUILT_IN);
    const ref = calibrationTextRef('my-brown.txt', data);
    putCalibrationText(ref, 'my-brown.txt', data);
    builtIn = await make();
    const dropped = await make(ref);
    expect(dropped.summary.calibration).toMatchObject({ dataset: 'my-brown.txt', sequences: 2, context: 256, firstToken: builtIn.summary.calibration!.firstToken });
    expect(Buffer.from(dropped.packedBytes).equals(Buffer.from(builtIn.packedBytes))).toBe(true);
    expect(dropped.summary.id).not.toBe(builtIn.summary.id);
    expect(dropped.summary.label).toBe('Wanda 50% · calib 2 · on my-brown.txt');
  });

  it('another text gives other masks, and a short one fewer sequences, said in the summary', async () => {
    // the built-in text's last 40 % of lines, in reverse order: other tokens from the same language
    const lines = BUILT_IN.toString('utf8').split('\n');
    const other = new TextEncoder().encode(lines.slice(Math.floor(lines.length * 0.6)).reverse().join('\n'));
    const ref = calibrationTextRef('reversed.txt', other);
    putCalibrationText(ref, 'reversed.txt', other);
    const dropped = await make(ref);
    expect(dropped.summary.calibration).toMatchObject({ dataset: 'reversed.txt', sequences: 2 });
    expect(Buffer.from(dropped.packedBytes).equals(Buffer.from(builtIn.packedBytes))).toBe(false);
    // ~600 characters: a few hundred tokens, one sequence of 256 where 8 were asked for
    const short = new TextEncoder().encode(BUILT_IN.toString('utf8').slice(0, 1500));
    const shortRef = calibrationTextRef('short.txt', short);
    putCalibrationText(shortRef, 'short.txt', short);
    const s = await make(shortRef, 8);
    expect(s.summary.calibration!.dataset).toBe('short.txt');
    expect(s.summary.calibration!.sequences).toBeLessThan(8);
    expect(s.summary.calibration!.sequences).toBeGreaterThanOrEqual(1);
    expect(s.summary.calibration!.firstToken).toBeGreaterThanOrEqual(0);
  });

  it('refuses a text it does not hold and bytes that are not the named file', async () => {
    const data = new TextEncoder().encode('some text that was never sent');
    await expect(make(calibrationTextRef('gone.txt', data))).rejects.toThrow(/calibration text gone\.txt is not in this page any more/);
    expect(() => putCalibrationText(calibrationTextRef('a.txt', data), 'a.txt', new TextEncoder().encode('edited'))).toThrow(/not the file the variant names/);
    await expect(make('no-hash.txt')).rejects.toThrow(/calibrationText must name a dropped text/);
    expect(variantId('m', { method: 'gptq', options: { calibrationText: 'a.txt#0123abcd' } }, 'cpu')).toContain('calibrationText=a.txt#0123abcd');
  });
});
