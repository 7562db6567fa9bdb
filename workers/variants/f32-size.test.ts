// A variant's f32 bytes are its source model with every weight f32, also when the source was
// published compressed: an INT4 model made by the lab, loaded back as a published model, names
// the f32 size of its float reference (the bytes of the f32 twin written from it, and within 1 %
// of the f32 model it was made from), not its own INT4 file. Skipped without the tiny demo model.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Job } from '../jobs';
import { buildModel, gatherFiles, type DroppedFile } from '../model/load';
import { makeVariant } from './make-variant';

const DEMO = 'public/models/brown-gpt2-tiny';
const DATASET = 'public/datasets/brown-test.txt';
const haveDemo = existsSync(join(DEMO, 'onnx/model.onnx')) && existsSync(DATASET);

const bytesOf = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const folder = (onnx: Uint8Array): DroppedFile[] => [
  ...['config.json', 'tokenizer.json', 'tokenizer_config.json'].map((path) => ({ path, data: bytesOf(readFileSync(join(DEMO, path))) })),
  { path: 'onnx/model.onnx', data: bytesOf(onnx) },
];

describe.skipIf(!haveDemo)('f32 bytes of a variant', () => {
  it('a source published as INT4: the float reference serialized, not the INT4 file', async () => {
    const text = readFileSync(DATASET, 'utf8');
    const f32File = readFileSync(join(DEMO, 'onnx/model.onnx'));
    const f32Model = buildModel(gatherFiles(folder(f32File)), text);
    const int4 = await makeVariant(f32Model, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu', new Job('f32-1'));
    // a source published f32: its bytes as loaded
    expect(int4.summary.f32Bytes).toBe(f32Model.baselineSize);

    const published = buildModel(gatherFiles(folder(int4.packedBytes)), text);
    expect(published.summary.published?.weights.length).toBeGreaterThan(0);
    const again = await makeVariant(published, { method: 'int8-channel', options: {} }, 'cpu', new Job('f32-2'), { simulated: true });
    const f32 = again.summary.f32Bytes;
    console.log(`f32 file ${f32File.length} B; INT4 as published ${published.baselineSize} B; f32 bytes of a variant of it ${f32} B; its f32 twin ${again.simulatedBytes!.length} B`);
    // the old figure was the published INT4 file's bytes: each INT4 weight (4.5 bits with its scales) is 4 bytes here
    const int4Params = published.summary.published!.weights.reduce((a, w) => a + w.params, 0);
    expect(f32 - published.baselineSize).toBeGreaterThan(3 * int4Params);
    expect(Math.abs(f32 / f32File.length - 1)).toBeLessThan(0.01);
    // the f32 twin is the float reference with the variant's weights: the same tensors, the same bytes
    expect(f32).toBe(again.simulatedBytes!.length);
  });
});
