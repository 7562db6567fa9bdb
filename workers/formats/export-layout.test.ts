// A packed model made from a dropped .onnx (skimmed, its large tensors file-backed) keeps the
// tensors it leaves unchanged as slices of that file, not copies: the arena holds only what the
// make wrote. Exported, it is one .onnx + one model.onnx_data that onnxruntime-node loads from disk
// with the logits of the same variant made from the bytes in memory, bit for bit; its size and
// gzip are those of the exported files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logitsOfFolder, MODELS } from '../../tests/local-models';
import { compressTensor } from '../compression/registry';
import { externalDataOf } from '../eval/external-data';
import { inlineExternalTensors } from '../model/external-files';
import { decodeModel, findLinearWeights, indexModel, readF32, type ParsedModel } from '../model/onnx-graph';
import { skimOnnx } from '../model/skim-onnx';
import { dataFileBytes, exportedSize, exportLayout } from './export-layout';
import { EXTERNAL_DATA_PATH, modelSize } from './external-weights';
import { packedFormOf } from './form-of';
import { gzipSize } from './gzip-size';
import { writePackedModel, type PackedForm } from './packed-model';
import { WeightArena } from './weight-arena';

const file = new Uint8Array(readFileSync(join(MODELS, 'brown-gpt2-tiny', 'onnx', 'model.onnx')));

async function packed(m: ParsedModel): Promise<{ bytes: Uint8Array; arena: WeightArena }> {
  const linear = findLinearWeights(m);
  const arena = new WeightArena(2 * file.length);
  const forms = new Map<string, PackedForm>();
  for (const w of linear) {
    const r = await compressTensor('int4-group', { groupSize: 32 }, { name: w.name, data: readF32(m.tensors.get(w.name)!).slice(), shape: w.shape, layout: w.layout }, 'cpu');
    forms.set(w.name, arena.keepForm(packedFormOf('int4-group', r.options, r, w)));
  }
  // written with external data whatever the size (the threshold is 128 MiB)
  return { bytes: writePackedModel(m, linear, forms, 0, arena), arena };
}

describe('a packed model of a dropped file', () => {
  it('keeps unchanged tensors in the file and exports one data file with the same logits', async () => {
    const handle = new Blob([file]);
    const skim = await skimOnnx(handle, 'model.onnx.inline_data');
    let reads = 0;
    await inlineExternalTensors(skim.proto, new Map([['model.onnx.inline_data', handle]]), (_, start, end) => {
      reads++;
      return file.slice(start, end);
    });
    const fromFile = await packed(indexModel(skim.proto));
    // the same .onnx decoded from its bytes (every tensor in memory)
    const inMemory = await packed(indexModel(decodeModel(file)));

    const files = externalDataOf(fromFile.bytes)!;
    expect(files[0].path).toBe(EXTERNAL_DATA_PATH);
    // the token and position tables stayed in the file: slices, not bytes
    const sources = files.slice(1);
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.every((f) => f.data instanceof Blob)).toBe(true);
    const sourceBytes = sources.reduce((a, f) => a + (f.data as Blob).size, 0);
    expect(fromFile.arena.size).toBeLessThan(inMemory.arena.size - sourceBytes + 64 * files.length);

    const layout = exportLayout(fromFile.bytes);
    const data = (await dataFileBytes(layout))!;
    expect(modelSize(fromFile.bytes)).toBe(layout.onnx.length + data.length);
    expect(exportedSize(fromFile.bytes)).toBe(modelSize(fromFile.bytes));
    // the exported files hold the in-memory variant's bytes: the same size up to alignment, the same gzip within 1 %
    expect(Math.abs(modelSize(fromFile.bytes) - modelSize(inMemory.bytes))).toBeLessThan(64 * files.length + 256);
    const whole = new Uint8Array(layout.onnx.length + data.length);
    whole.set(layout.onnx);
    whole.set(data, layout.onnx.length);
    const gz = await gzipSize(fromFile.bytes);
    const gzWhole = (await new Response(new Blob([whole]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer()).byteLength;
    expect(Math.abs(gz - gzWhole)).toBeLessThan(64);

    const ids = Int32Array.from({ length: 48 }, (_, i) => (i * 53) % 1000);
    // each exported as a folder and loaded from disk by onnxruntime-node
    const [got, ref] = [await logitsFromFolder(fromFile.bytes, ids), await logitsFromFolder(inMemory.bytes, ids)];
    expect(got.length).toBe(ref.length);
    let differ = 0;
    for (let i = 0; i < got.length; i++) if (got[i] !== ref[i]) differ++;
    expect(differ).toBe(0);
    expect(reads).toBeGreaterThan(0);
  }, 120_000);
});

/** The packed model exported as a folder, loaded from disk by onnxruntime-node: its logits. */
async function logitsFromFolder(bytes: Uint8Array, ids: Int32Array): Promise<Float32Array> {
  const layout = exportLayout(bytes);
  return logitsOfFolder(layout.onnx, await dataFileBytes(layout), EXTERNAL_DATA_PATH, ids);
}
