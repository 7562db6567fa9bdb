// A model past protobuf's 2 GiB, as ONNX writes it (a small .onnx whose weights sit in external
// data), is sized from the lengths its .onnx declares: a synthetic graph declaring 2.5 GiB of
// external data passes the protobuf check (only inline weights must fit one message), the total is
// held to onnxruntime-web's WASM memory, and one declaring a few bytes loads as before.
import { describe, expect, it } from 'vitest';
import { buildModel, gatherFiles, readExternal, type DroppedFile } from './load';
import { checkDeclaredSize, checkDeviceLimits, declaredSize, WASM32_BYTES } from './declared-size';
import { decodeModel, onnx, readF32 } from './onnx-graph';
import { externalDataOf } from '../eval/external-data';

const GiB = 2 ** 30;
const vi = (name: string, elemType: number) => ({ name, type: { tensorType: { elemType } } });
const external = (offset: number, length: number) => [{ key: 'location', value: 'model.onnx_data' }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(length) }];

/** input_ids → Gather(emb) → MatMul(W) → logits; both weights external, with the lengths given. */
function declaring(embBytes: number, wBytes: number): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'declares',
      node: [
        { name: 'embed', opType: 'Gather', input: ['emb', 'input_ids'], output: ['h'] },
        { name: 'head', opType: 'MatMul', input: ['h', 'W'], output: ['logits'] },
      ],
      initializer: [
        { name: 'emb', dims: [embBytes / 4 / 1024, 1024], dataType: 1, dataLocation: 1, externalData: external(0, embBytes) },
        { name: 'W', dims: [1024, wBytes / 4 / 1024], dataType: 1, dataLocation: 1, externalData: external(embBytes, wBytes) },
      ],
      input: [vi('input_ids', 7)],
      output: [vi('logits', 1)],
    },
  })).finish();
}

const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o)).buffer as ArrayBuffer;
const files = (bytes: Uint8Array, data?: Uint8Array): DroppedFile[] => [
  { path: 'big/config.json', data: enc({ model_type: 'gpt2', n_positions: 16, vocab_size: 4 }) },
  { path: 'big/tokenizer.json', data: enc({ model: { type: 'WordLevel', vocab: { a: 0, '[UNK]': 1 }, unk_token: '[UNK]' }, pre_tokenizer: { type: 'Whitespace' }, normalizer: null, post_processor: null, decoder: null, added_tokens: [] }) },
  { path: 'big/onnx/model.onnx', data: new Uint8Array(bytes).buffer as ArrayBuffer },
  ...(data ? [{ path: 'big/onnx/model.onnx_data', data: new Uint8Array(data).buffer as ArrayBuffer }] : []),
];

describe('declared size (models past 2 GiB)', () => {
  it('sums the declared external lengths without reading data', () => {
    const s = declaredSize(decodeModel(declaring(2 * GiB, GiB / 2)));
    expect(s).toEqual({ inlineBytes: 0, externalBytes: 2.5 * GiB, largest: { name: 'emb', bytes: 2 * GiB } });
  });

  it('a graph declaring 2.5 GiB of external data passes (variants write their weights outside the message too); 2 GiB kept inline in the .onnx is refused', () => {
    const bytes = declaring(2 * GiB, GiB / 2);
    expect(bytes.length).toBeLessThan(4096);
    expect(() => checkDeclaredSize(decodeModel(bytes), 'onnx/model.onnx')).not.toThrow();
    const inline = decodeModel(declaring(4096, 4096));
    // declaredSize counts float_data by its length: a stand-in of 2 GiB of floats, no bytes allocated
    Object.assign(inline.graph!.initializer[0], { dataLocation: 0, externalData: [], floatData: { length: 2 ** 29 } });
    expect(() => checkDeclaredSize(inline, 'onnx/model.onnx')).toThrow(/keeps 2\.00 GiB of weights inside the \.onnx itself, past protobuf's 2 GiB for one message/);
  });

  it('a lying length is caught as not ONNX', () => {
    const proto = decodeModel(declaring(4096, 4096));
    proto.graph!.initializer[0].externalData[2].value = '-5';
    expect(() => checkDeclaredSize(proto, 'onnx/model.onnx')).toThrow(/declares an external length of "-5"/);
  });

  it('a small graph with the same layout passes the check and loads', () => {
    const data = new Uint8Array(8192);
    const m = buildModel(gatherFiles(files(declaring(4096, 4096), data)), 'a a');
    expect(m.summary.linearWeights.map((w) => w.name)).toEqual(['W']);
  });

  it('by the device: wasm32 refuses from the declared sizes; WebGPU says which tensor passes which limit', () => {
    const MiB = 2 ** 20;
    // GPT-2's embedding: 50257 x 768 f32 = 147.2 MiB
    const gpt2 = decodeModel(declaring(50257 * 768 * 4, 4096));
    const gpu = (maxBufferSize: number, maxStorageBufferBindingSize: number) => ({ wasmBytes: WASM32_BYTES, gpu: { maxBufferSize, maxStorageBufferBindingSize } });
    expect(checkDeviceLimits(gpt2, 'model.onnx', gpu(2048 * MiB, 1024 * MiB))).toBeUndefined();
    expect(checkDeviceLimits(gpt2, 'model.onnx', gpu(256 * MiB, 128 * MiB))).toBe('emb (147.2 MiB) is over this adapter\'s maxStorageBufferBindingSize of 128.0 MiB: the compression kernels run such a tensor in chunks');
    expect(checkDeviceLimits(gpt2, 'model.onnx', gpu(128 * MiB, 128 * MiB))).toMatch(/^WebGPU cannot hold this model on this adapter: its largest tensor, emb, is 147\.2 MiB, over the adapter's maxBufferSize of 128\.0 MiB/);
    expect(() => checkDeviceLimits(decodeModel(declaring(4 * GiB, GiB / 2)), 'onnx/model.onnx', { wasmBytes: WASM32_BYTES }))
      .toThrow('onnx/model.onnx declares 4.50 GiB of weights, the largest tensor emb 4096.0 MiB; a browser tab gives WebAssembly at most 4.00 GiB (wasm32)');
    // under 4 GiB in all, but one tensor of 2.5 GiB: onnxruntime-web's WASM build cannot size it
    expect(() => checkDeviceLimits(decodeModel(declaring(2.5 * GiB, GiB / 2)), 'onnx/model.onnx', { wasmBytes: WASM32_BYTES }))
      .toThrow("onnx/model.onnx: its tensor emb is 2.50 GiB; onnxruntime-web's WASM build refuses a single tensor of 2 GiB or more");
    // 3.25 GiB in tensors under 2 GiB: not refused (e2e/big-model.spec.ts loads 2.28 GiB)
    expect(checkDeviceLimits(decodeModel(declaring(1.5 * GiB, 1.75 * GiB)), 'onnx/model.onnx', { wasmBytes: WASM32_BYTES })).toBeUndefined();
  });

  it('data files given as handles are read tensor by tensor into the same model as buffers', async () => {
    const data = new Uint8Array(8192).map((_, i) => i * 7);
    const asBuffers = buildModel(gatherFiles(files(declaring(4096, 4096), data)), 'a a');
    const handles = files(declaring(4096, 4096)).concat({ path: 'big/onnx/model.onnx_data', data: new Blob([data]) });
    const asHandles = buildModel(await readExternal(gatherFiles(handles), { wasmBytes: WASM32_BYTES }), 'a a');
    expect(asHandles.summary.onnxBytes).toBe(asBuffers.summary.onnxBytes);
    expect(Array.from(readF32(asHandles.parsed.tensors.get('W')!))).toEqual(Array.from(readF32(asBuffers.parsed.tensors.get('W')!)));
    // the baseline is the .onnx as given, its data file handed to onnxruntime as a file, not inlined
    expect(Buffer.from(asHandles.baselineBytes).equals(Buffer.from(declaring(4096, 4096)))).toBe(true);
    expect(externalDataOf(asHandles.baselineBytes)?.map((f) => [f.path, (f.data as Blob).size])).toEqual([['model.onnx_data', 8192]]);
    expect(asHandles.baselineSize).toBe(asHandles.summary.onnxBytes);
  });
});
