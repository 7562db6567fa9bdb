// A big packed model's weights in one external data file: the same model, written differently.
// Forced on the tiny demo LM (the threshold is 128 MiB of weights): the small .onnx beside its
// model.onnx_data, loaded by onnxruntime-node from disk as any published model, computes exactly
// what the one-buffer packed model computes, also when the data file is make-variant's weight
// arena; sizes and gzip count the data file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logitsOfBytes, logitsOfFolder, MODELS } from '../../tests/local-models';
import { buildModel, gatherFiles } from '../model/load';
import { compressTensor } from '../compression/registry';
import { externalDataOf } from '../eval/external-data';
import { readF32 } from '../model/onnx-graph';
import { EXTERNAL_DATA_PATH, modelParts, modelSize } from './external-weights';
import { packedFormOf } from './form-of';
import { gzipSize } from './gzip-size';
import { writePackedModel, type PackedForm } from './packed-model';
import { WeightArena } from './weight-arena';

describe('packed weights in an external data file', () => {
  it('loads from disk in onnxruntime-node and gives the one-buffer model\'s logits exactly', async () => {
    // the tiny demo LM's folder, with a one-line evaluation text (its tokens are not used here)
    const dir0 = join(MODELS, 'brown-gpt2-tiny');
    const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].filter((f) => existsSync(join(dir0, f))).map((f) => {
      const b = readFileSync(join(dir0, f));
      return { path: f, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
    });
    const model = buildModel(gatherFiles(files), 'the lab');
    const forms = new Map<string, PackedForm>();
    for (const w of model.linear) {
      const r = await compressTensor('int4-group', { groupSize: 32 }, { name: w.name, data: readF32(model.parsed.tensors.get(w.name)!).slice(), shape: w.shape, layout: w.layout }, 'cpu');
      forms.set(w.name, packedFormOf('int4-group', r.options, r, w));
    }
    const inline = writePackedModel(model.parsed, model.linear, forms);
    const split = writePackedModel(model.parsed, model.linear, forms, 0);
    expect(externalDataOf(inline)).toBeUndefined();
    const external = externalDataOf(split)!;
    expect(external.map((f) => f.path)).toEqual([EXTERNAL_DATA_PATH]);
    const data = external[0].data as Uint8Array;
    // the weights left the .onnx; the total is the inline model's bytes plus 64-byte alignment and the offsets written out
    expect(split.length).toBeLessThan(inline.length / 4);
    expect(modelParts(split)).toEqual([split, data]);
    expect(modelSize(split)).toBeGreaterThan(inline.length * 0.99);
    expect(modelSize(split)).toBeLessThan(inline.length * 1.02);
    const [gzInline, gzSplit] = [await gzipSize(inline), await gzipSize(split)];
    expect(Math.abs(gzSplit / gzInline - 1)).toBeLessThan(0.02);

    // the same through a weight arena (make-variant's way): the arena is the data file, no second copy
    const arena = new WeightArena(inline.length * 2);
    const arenaForms = new Map([...forms].map(([k, f]) => [k, arena.keepForm(f)]));
    const viaArena = writePackedModel(model.parsed, model.linear, arenaForms, 0, arena);
    const arenaData = externalDataOf(viaArena)![0].data as Uint8Array;
    expect(arenaData.buffer).toBe(arena.buffer);

    const ids = Int32Array.from({ length: 64 }, (_, i) => (i * 37) % 1000);
    const fromBuffer = await logitsOfBytes(inline, ids);
    for (const [onnxBytes, dataBytes] of [[split, data], [viaArena, arenaData]]) {
      const fromDisk = await logitsOfFolder(onnxBytes, dataBytes.slice(), EXTERNAL_DATA_PATH, ids);
      expect(fromDisk.length).toBe(fromBuffer.length);
      let differ = 0;
      for (let i = 0; i < fromDisk.length; i++) if (fromDisk[i] !== fromBuffer[i]) differ++;
      expect(differ).toBe(0);
    }
  }, 120_000);
});
