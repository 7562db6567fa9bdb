// The streaming parser on a synthetic file set that declares more than 2 GiB of external data:
// a small .onnx and a sparse data file (made with ftruncate in the OS temp dir, no disk used) of
// 2.5 GiB + 64 bytes. The tensors are listed from the .onnx alone, and one tensor is read with a
// single slice of the data file while the 2.5 GiB one is never read.
import { closeSync, ftruncateSync, mkdtempSync, openAsBlob, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { externalDataParts, inlineExternalTensors, listExternal, readExternalTensor, type BlobLike } from './external-files';
import { decodeModel, onnx } from './onnx-graph';

const GiB = 2 ** 30;
const BIG = 2.5 * GiB;
const W = new Float32Array([1.5, -2, 0.25, 8]);
const external = (offset: number, length: number) => [{ key: 'location', value: 'model.onnx_data' }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(length) }];
const vi = (name: string, elemType: number) => ({ name, type: { tensorType: { elemType } } });

const proto = decodeModel(onnx.ModelProto.encode(onnx.ModelProto.create({
  irVersion: 8,
  opsetImport: [{ domain: '', version: 17 }],
  graph: {
    name: 'declares-2.5-GiB',
    node: [
      { name: 'embed', opType: 'Gather', input: ['emb', 'input_ids'], output: ['h'] },
      { name: 'head', opType: 'MatMul', input: ['h', 'W'], output: ['logits'] },
    ],
    initializer: [
      { name: 'emb', dims: [BIG / 4 / 2, 2], dataType: 1, dataLocation: 1, externalData: external(0, BIG) },
      { name: 'W', dims: [2, 2], dataType: 1, dataLocation: 1, externalData: external(BIG + 48, 16) },
    ],
    input: [vi('input_ids', 7)],
    output: [vi('logits', 1)],
  },
})).finish());

const dir = mkdtempSync(join(tmpdir(), 'lab-streaming-'));
const dataPath = join(dir, 'model.onnx_data');
const fd = openSync(dataPath, 'w');
ftruncateSync(fd, BIG + 64);
writeSync(fd, new Uint8Array(W.buffer), 0, 16, BIG + 48);
closeSync(fd);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The data file as a Blob, counting what is read through it. */
async function counted(): Promise<{ blob: BlobLike; read: { bytes: number; slices: number } }> {
  const file = await openAsBlob(dataPath);
  const read = { bytes: 0, slices: 0 };
  return {
    read,
    blob: {
      size: file.size,
      slice: (start, end) => {
        const part = file.slice(start, end);
        read.slices++;
        return { arrayBuffer: async () => { read.bytes += part.size; return part.arrayBuffer(); } };
      },
    },
  };
}

describe('external data read per tensor', () => {
  it('lists the tensors of a 2.5 GiB file set from the .onnx alone', () => {
    const listed = listExternal(proto, new Map([['model.onnx_data', BIG + 64]]));
    expect(listed.map((t) => [t.name, t.offset, t.length])).toEqual([['emb', 0, BIG], ['W', BIG + 48, 16]]);
    expect(listed[0].dims).toEqual([BIG / 8, 2]);
  });

  it('reads one tensor with one slice, none of the rest', async () => {
    const { blob, read } = await counted();
    const [, w] = listExternal(proto, new Map([['model.onnx_data', blob.size]]));
    const bytes = await readExternalTensor(w, new Map([['model.onnx_data', blob]]));
    expect(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, 4))).toEqual(Array.from(W));
    expect(read).toEqual({ bytes: 16, slices: 1 });
  });

  it('refuses a range past its file, or a file not given, naming the tensor', async () => {
    expect(() => listExternal(proto, new Map([['model.onnx_data', BIG]]))).toThrow('initializer W wants bytes [2684354608, 2684354624) of "model.onnx_data", which has 2684354560');
    expect(() => listExternal(proto, new Map())).toThrow('initializer emb lives in external file "model.onnx_data", which was not provided');
  });

  it('inlines a small file set tensor by tensor', async () => {
    const small = decodeModel(onnx.ModelProto.encode(onnx.ModelProto.create({
      irVersion: 8,
      graph: { name: 's', node: [{ opType: 'Identity', input: ['W'], output: ['y'] }], initializer: [{ name: 'W', dims: [2, 2], dataType: 1, dataLocation: 1, externalData: external(BIG + 48, 16) }] },
    })).finish());
    const { blob, read } = await counted();
    expect(await inlineExternalTensors(small, new Map([['model.onnx_data', blob]]))).toBe(16);
    const t = small.graph!.initializer[0];
    expect([t.dataLocation, t.externalData.length, Array.from(new Float32Array(t.rawData.slice().buffer))]).toEqual([0, 0, Array.from(W)]);
    expect(read.bytes).toBe(16);
  });

  it('hands onnxruntime-web a data file past 1 GiB as parts of whole tensors (Chromium reads no Blob of 2 GiB at once), none read here', async () => {
    const file = await openAsBlob(dataPath);
    const bytes = onnx.ModelProto.encode(proto as never).finish();
    const small = externalDataParts(bytes, new Map([['model.onnx_data', new Blob([new Uint8Array(64)])]]));
    expect(small.bytes).toBe(bytes);
    // a 1 KiB part limit stands for 1 GiB: the 2.5 GiB emb is a part alone, W another of 16 bytes at offset 0
    const { bytes: out, files } = externalDataParts(bytes, new Map([['model.onnx_data', file as unknown as Blob]]), 1024);
    expect(files.map((f) => [f.path, f.data.size])).toEqual([['model.onnx_data.part0', BIG], ['model.onnx_data.part1', 16]]);
    const listed = listExternal(decodeModel(out), new Map(files.map((f) => [f.path, f.data.size])));
    expect(listed.map((t) => [t.name, t.location, t.offset, t.length])).toEqual([['emb', 'model.onnx_data.part0', 0, BIG], ['W', 'model.onnx_data.part1', 0, 16]]);
    const w = await readExternalTensor(listed[1], new Map(files.map((f) => [f.path, f.data])));
    expect(Array.from(new Float32Array(w.buffer, w.byteOffset, 4))).toEqual(Array.from(W));
  });
});
