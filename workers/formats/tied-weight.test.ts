// A weight read both as an embedding (Gather) and as the output head (Gemm transB=1), as tied
// exports store it: the packed model keeps it once (MatMulNBits for the head, GatherBlockQuantized
// over the same bytes for the embedding) and computes what the f32 twin computes, in
// onnxruntime-node. The demo LM's export keeps a separate head, so this graph is built here.
import { describe, expect, it } from 'vitest';
import { compressTensor } from '../compression/registry';
import { findLinearWeights, indexModel, onnx, writeVariant, type ModelProto } from '../model/onnx-graph';
import { NF4_SHARED_REASON, packedFormOf } from './form-of';
import { writePackedModel, type PackedForm } from './packed-model';

const V = 40; // vocabulary (rows)
const K = 64; // width: two blocks of 32

function tiedModel(w: Float32Array): ModelProto {
  const DT = onnx.TensorProto.DataType;
  const bytes = new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
  const graph = onnx.GraphProto.create({
    name: 'tied',
    node: [
      onnx.NodeProto.create({ opType: 'Gather', input: ['W', 'ids'], output: ['E'], name: 'embed' }),
      onnx.NodeProto.create({ opType: 'Gemm', input: ['E', 'W'], output: ['logits'], name: 'head', attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] }),
    ],
    initializer: [onnx.TensorProto.create({ name: 'W', dims: [V, K], dataType: DT.FLOAT, rawData: bytes })],
    input: [onnx.ValueInfoProto.create({ name: 'ids', type: { tensorType: { elemType: DT.INT64, shape: { dim: [{ dimParam: 'n' }] } } } })],
    output: [onnx.ValueInfoProto.create({ name: 'logits', type: { tensorType: { elemType: DT.FLOAT, shape: { dim: [{ dimParam: 'n' }, { dimValue: V }] } } } })],
  });
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph });
  return onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish()) as unknown as ModelProto;
}

describe('a tied embedding + head packed once', () => {
  it('INT4 g32: GatherBlockQuantized + MatMulNBits equal the f32 twin', async () => {
    const w = Float32Array.from({ length: V * K }, (_, i) => Math.sin(i * 0.37) * 0.1 + ((i * 7919) % 13) * 0.003);
    const parsed = indexModel(tiedModel(w));
    const linear = findLinearWeights(parsed);
    expect(linear).toHaveLength(1);
    expect(linear[0]).toMatchObject({ name: 'W', layout: 'out_in', shared: true });
    const r = await compressTensor('int4-group', { groupSize: 32 }, { name: 'W', data: w.slice(), shape: [V, K], layout: 'out_in' }, 'cpu');
    const forms = new Map<string, PackedForm>([['W', packedFormOf('int4-group', r.options, r, linear[0])]]);
    const packed = writePackedModel(parsed, linear, forms);
    const twin = writeVariant(parsed, new Map([['W', r.dequantized]]));
    expect(packed.length).toBeLessThan(twin.length / 4);
    const ort = (await import('onnxruntime-node')).default;
    const ids = new ort.Tensor('int64', BigInt64Array.from([0, 5, 39, 17, 5, 2].map(BigInt)), [6]);
    const run = async (bytes: Uint8Array) => {
      const s = await ort.InferenceSession.create(bytes);
      const out = (await s.run({ ids })).logits.data as Float32Array;
      await s.release();
      return out;
    };
    const [a, b] = [await run(packed), await run(twin)];
    expect(a.length).toBe(6 * V);
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
    expect(max).toBeLessThan(1e-5);
    // and the quantization did something: the twin is not the source
    const src = await run(writeVariant(parsed, new Map([['W', w]])));
    expect(Math.max(...a.map((x, i) => Math.abs(x - src[i])))).toBeGreaterThan(1e-4);
  });

  it('NF4: a tied weight stays f32 and says why (no NF4 gather); an untied one packs as MatMulBnb4', async () => {
    const w = Float32Array.from({ length: V * K }, (_, i) => Math.cos(i * 0.21) * 0.1);
    const parsed = indexModel(tiedModel(w));
    const [tied] = findLinearWeights(parsed);
    const r = await compressTensor('nf4', {}, { name: 'W', data: w.slice(), shape: [V, K], layout: 'out_in' }, 'cpu');
    const form = packedFormOf('nf4', r.options, r, tied);
    expect(form).toMatchObject({ kind: 'f32', simulated: NF4_SHARED_REASON });
    expect(packedFormOf('nf4', r.options, r, { ...tied, shared: false }).kind).toBe('bnb4');
    // the f32 form writes a model that runs
    expect(writePackedModel(parsed, [tied], new Map([['W', form]])).length).toBeGreaterThan(V * K * 4);
  });
});
