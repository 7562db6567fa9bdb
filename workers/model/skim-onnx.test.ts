// A big .onnx read as a handle: skimOnnx keeps the graph and small tensors and points every large
// initializer at its raw bytes inside the same file; with a sync reader those tensors are
// file-backed (read on each use, never held). The model must index, read and re-encode exactly as
// the whole file decoded in memory does, and the skim must not read a large tensor's bytes.
import { describe, expect, it } from 'vitest';
import { inlineExternalTensors, rawByteLength, readF32Ahead, type BlobLike } from './external-files';
import { decodeModel, indexModel, onnx, readF32, type ModelProto } from './onnx-graph';
import { SKIM_MIN_TENSOR_BYTES, skimOnnx } from './skim-onnx';
import { checkTensorData } from './tensor-data';

const big = Float32Array.from({ length: SKIM_MIN_TENSOR_BYTES / 4 + 8 }, (_, i) => Math.sin(i));
const small = new Float32Array([1, 2, 3]);
const f32 = (a: Float32Array) => new Uint8Array(a.buffer);
/** a copy as floats (Node's protobuf bytes are Buffer views into a pool) */
const floats = (u8: Uint8Array) => new Float32Array(Uint8Array.from(u8).buffer);
const vi = (name: string, elemType: number) => ({ name, type: { tensorType: { elemType } } });

const file = onnx.ModelProto.encode(onnx.ModelProto.create({
  irVersion: 8,
  producerName: 'skim-test',
  opsetImport: [{ domain: '', version: 17 }],
  graph: {
    name: 'g',
    node: [
      { name: 'head', opType: 'MatMul', input: ['x', 'W'], output: ['y0'] },
      { name: 'bias', opType: 'Add', input: ['y0', 'b'], output: ['y'] },
    ],
    initializer: [
      { name: 'W', dims: [big.length / 8, 8], dataType: 1, rawData: f32(big) },
      { name: 'b', dims: [3], dataType: 1, rawData: f32(small) },
    ],
    input: [vi('x', 1)],
    output: [vi('y', 1)],
  },
})).finish();

/** The file as a handle, counting the bytes read through it. */
function handle(bytes: Uint8Array): { blob: BlobLike; read: { bytes: number } } {
  const read = { bytes: 0 };
  const blob: BlobLike = {
    size: bytes.length,
    slice: (start = 0, end = bytes.length) => ({
      arrayBuffer: async () => {
        read.bytes += Math.min(end, bytes.length) - start;
        return Uint8Array.from(bytes.subarray(start, end)).buffer;
      },
    }),
  };
  return { blob, read };
}

const syncRead = (bytes: Uint8Array, count: { n: number }) => (_: BlobLike, start: number, end: number) => {
  count.n++;
  return Uint8Array.from(bytes.subarray(start, end));
};

describe('skimOnnx', () => {
  it('leaves large initializers in the file as its own external data, keeps the rest', async () => {
    const { blob } = handle(file);
    const skim = await skimOnnx(blob, 'model.onnx.inline_data');
    expect(skim.tensors).toBe(1);
    expect(skim.bytes.length).toBeLessThan(1024);
    const W = skim.proto.graph!.initializer.find((t) => t.name === 'W')!;
    expect(W.dataLocation).toBe(onnx.TensorProto.DataLocation.EXTERNAL);
    const kv = Object.fromEntries(W.externalData.map((e) => [e.key, e.value]));
    expect(kv.location).toBe('model.onnx.inline_data');
    // the offset points at the raw bytes inside the file
    expect(floats(file.subarray(Number(kv.offset), Number(kv.offset) + Number(kv.length)))).toEqual(big);
    const b = skim.proto.graph!.initializer.find((t) => t.name === 'b')!;
    expect(floats(b.rawData)).toEqual(small);
    expect((skim.proto as unknown as { producerName: string }).producerName).toBe('skim-test');
    expect(skim.proto.graph!.node.map((n) => n.opType)).toEqual(['MatMul', 'Add']);
  });

  it('reads the structure and small fields, not the large tensor', async () => {
    // W of 4 MiB: the skim reads one 1 MiB window at the start and the fields after W, never W whole
    const huge = new Float32Array(2 ** 20).fill(0.5);
    const m = decodeModel(file);
    m.graph!.initializer[0].dims = [huge.length / 8, 8];
    m.graph!.initializer[0].rawData = f32(huge);
    const bytes = onnx.ModelProto.encode(m as never).finish();
    const { blob, read } = handle(bytes);
    const skim = await skimOnnx(blob, 'w');
    expect(skim.tensors).toBe(1);
    expect(read.bytes).toBeLessThan(1.1 * 2 ** 20);
  });

  it('file-backed tensors read like the whole file decoded, and re-encode the same', async () => {
    const whole = indexModel(decodeModel(file));
    const { blob } = handle(file);
    const skim = await skimOnnx(blob, 'w');
    const count = { n: 0 };
    const fetched = await inlineExternalTensors(skim.proto, new Map([['w', blob]]), syncRead(file, count));
    expect(fetched).toBe(0);
    expect(count.n).toBe(0);
    const lazy = indexModel(skim.proto);
    const W = lazy.tensors.get('W')!;
    expect(rawByteLength(W.proto)).toBe(big.length * 4);
    checkTensorData(lazy, 'model.onnx');
    expect(count.n).toBe(0);
    expect(readF32(W)).toEqual(readF32(whole.tensors.get('W')!));
    expect(count.n).toBe(1);
    // read ahead (async, make-variant's next weight): the same values, not through the sync reader
    expect(await readF32Ahead(W)).toEqual(readF32(whole.tensors.get('W')!));
    expect(count.n).toBe(1);
    // protobuf writes the file-backed bytes as if they were inline
    const again = onnx.ModelProto.encode(skim.proto as never).finish();
    const back = decodeModel(again) as ModelProto;
    expect(floats(back.graph!.initializer[0].rawData)).toEqual(big);
    // assigning raw_data makes it a plain field again
    W.proto.rawData = new Uint8Array(4);
    expect(W.proto.rawData.length).toBe(4);
    expect(rawByteLength(W.proto)).toBe(4);
  });
});
