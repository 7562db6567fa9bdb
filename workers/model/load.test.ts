// Model I/O on a tiny hand-built graph (always) and on the demo model when it is present
// (public/models/brown-gpt2): parsing, external data, linear weights, validation errors,
// variant writing checked by running onnxruntime-node on the written bytes.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel, gatherFiles, type DroppedFile } from './load';
import { findLinearWeights, onnx, parseModel, readF32, writeVariant } from './onnx-graph';

const f32bytes = (xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);
const vi = (name: string, elemType: number) => ({ name, type: { tensorType: { elemType } } });

/** vocab 4, hidden 2: Gather(emb) → MatMul(W) → Gemm(·, emb, transB=1) → logits. W is external. */
function tinyModel(opts: { inputName?: string; outputName?: string; noLinear?: boolean; customOp?: boolean } = {}) {
  const emb = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
  const w = [1, 0, 0, 1];
  const data = new Uint8Array(64 + 16);
  data.set(f32bytes(w), 64);
  const nodes = [
    { name: 'embed', opType: 'Gather', input: ['emb', opts.inputName ?? 'input_ids'], output: ['h'] },
    { name: 'fc', opType: opts.noLinear ? 'Add' : 'MatMul', input: ['h', 'W'], output: ['h1'] },
    ...(opts.customOp ? [{ name: 'mystery', opType: 'FancyNorm', domain: 'com.example.ops', input: ['h1'], output: ['h1b'] }] : []),
    {
      name: 'head', opType: opts.noLinear ? 'Identity' : 'Gemm', input: opts.noLinear ? ['h1'] : ['h1', 'emb'], output: [opts.outputName ?? 'logits'],
      attribute: opts.noLinear ? [] : [{ name: 'transB', type: 2, i: 1 }],
    },
  ];
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'tiny',
      node: nodes,
      initializer: [
        { name: 'emb', dims: [4, 2], dataType: 1, rawData: f32bytes(emb) },
        {
          name: 'W', dims: [2, 2], dataType: 1, dataLocation: 1,
          externalData: [{ key: 'location', value: 'model.onnx_data' }, { key: 'offset', value: '64' }, { key: 'length', value: '16' }],
        },
      ],
      input: [vi(opts.inputName ?? 'input_ids', 7), vi('attention_mask', 7)],
      output: [vi(opts.outputName ?? 'logits', 1)],
    },
  });
  return { bytes: onnx.ModelProto.encode(model).finish(), data };
}

const wordLevel = { model: { type: 'WordLevel', vocab: { a: 0, b: 1, '[UNK]': 2 }, unk_token: '[UNK]' }, pre_tokenizer: { type: 'Whitespace' }, normalizer: null, post_processor: null, decoder: null, added_tokens: [] };
const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o)).buffer as ArrayBuffer;
const folder = (m: ReturnType<typeof tinyModel>, withData = true): DroppedFile[] => [
  { path: 'tiny/config.json', data: enc({ model_type: 'gpt2', n_positions: 16, vocab_size: 4 }) },
  { path: 'tiny/tokenizer.json', data: enc(wordLevel) },
  { path: 'tiny/onnx/model.onnx', data: new Uint8Array(m.bytes).buffer as ArrayBuffer },
  ...(withData ? [{ path: 'tiny/onnx/model.onnx_data', data: new Uint8Array(m.data).buffer as ArrayBuffer }] : []),
];

describe('tiny model', () => {
  it('reads external data and finds MatMul (in_out) and tied Gemm transB=1 (out_in, shared)', () => {
    const m = tinyModel();
    const parsed = parseModel(m.bytes, (loc) => (loc === 'model.onnx_data' ? m.data : undefined));
    expect(Array.from(readF32(parsed.tensors.get('W')!))).toEqual([1, 0, 0, 1]);
    expect(parsed.hadExternalData).toBe(true);
    const lw = findLinearWeights(parsed);
    expect(lw.map((w) => [w.name, w.op, w.layout, w.shared, w.shape])).toEqual([
      ['W', 'MatMul', 'in_out', false, [2, 2]],
      ['emb', 'Gemm', 'out_in', true, [4, 2]],
    ]);
  });

  it('writeVariant replaces only the given initializer and inlines the rest', () => {
    const m = tinyModel();
    const parsed = parseModel(m.bytes, () => m.data);
    const out = parseModel(writeVariant(parsed, new Map([['W', new Float32Array([2, 3, 4, 5])]])));
    expect(out.hadExternalData).toBe(false);
    expect(Array.from(readF32(out.tensors.get('W')!))).toEqual([2, 3, 4, 5]);
    expect(Array.from(readF32(out.tensors.get('emb')!))).toEqual(Array.from(readF32(parsed.tensors.get('emb')!)));
  });

  it('buildModel from dropped files: summary, tokens', () => {
    const model = buildModel(gatherFiles(folder(tinyModel())), 'a b a');
    expect(model.summary).toMatchObject({ name: 'tiny', modelType: 'gpt2', nPositions: 16, vocabSize: 4, totalParams: 12, linearParams: 12, datasetTokens: 3 });
    expect(Array.from(model.datasetIds)).toEqual([0, 1, 0]);
  });

  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
    return 'no error';
  };

  it('errors carry a code and say what was expected and what came', () => {
    expect(codeOf(() => buildModel(gatherFiles([...folder(tinyModel()).slice(0, 2), { path: 'onnx/model.onnx', data: enc('not a model') }]), ''))).toMatch(/^NotOnnx: expected an ONNX ModelProto/);
    expect(codeOf(() => buildModel(gatherFiles(folder(tinyModel({ inputName: 'pixels' }))), ''))).toMatch(/^NotLanguageModel: .*got inputs \[pixels, attention_mask\]/);
    expect(codeOf(() => buildModel(gatherFiles(folder(tinyModel({ outputName: 'hidden' }))), ''))).toMatch(/^NotLanguageModel: .*outputs \[hidden\]/);
    expect(codeOf(() => buildModel(gatherFiles(folder(tinyModel({ noLinear: true }))), ''))).toMatch(/^NoLinearWeights: expected MatMul \/ Gemm/);
    expect(codeOf(() => buildModel(gatherFiles(folder(tinyModel(), false)), ''))).toMatch(/^MissingFile: .*model.onnx_data/);
    // no config.json: its fields come off the graph (graph-facts.ts), so that is no error any more
    expect(gatherFiles(folder(tinyModel()).filter((f) => !f.path.endsWith('config.json'))).config).toMatchObject({ vocab_size: 4, _from_graph: ['vocab_size'] });
    // not a text model: said before config.json or tokenizer.json is asked for
    expect(codeOf(() => gatherFiles(folder(tinyModel({ inputName: 'pixels' })).filter((f) => f.path.endsWith('.onnx'))))).toMatch(/^NotLanguageModel: tiny\/onnx\/model.onnx is neither a causal language model nor a sequence classifier/);
    expect(codeOf(() => buildModel(gatherFiles(folder(tinyModel({ customOp: true }))), ''))).toBe(
      'UnsupportedOperators: tiny/onnx/model.onnx uses operators onnxruntime-web has no kernels for: com.example.ops.FancyNorm × 1',
    );
  });
});

const DEMO = 'public/models/brown-gpt2';
const DATASET = 'public/datasets/brown-test.txt';
const haveDemo = existsSync(join(DEMO, 'onnx/model.onnx')) && existsSync(DATASET);

function readFolder(dir: string): DroppedFile[] {
  const out: DroppedFile[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (!f.startsWith('decoder')) {
        const b = readFileSync(p);
        out.push({ path: relative(dir, p), data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer });
      }
    }
  };
  walk(dir);
  return out;
}

describe.skipIf(!haveDemo)('demo model (brown-gpt2)', () => {
  const text = haveDemo ? readFileSync(DATASET, 'utf8') : '';
  const model = haveDemo ? buildModel(gatherFiles(readFolder(DEMO)), text) : undefined!;

  it('summary and linear weights', () => {
    const s = model.summary;
    expect(s).toMatchObject({ modelType: 'gpt2', nPositions: 256, vocabSize: 8192, inputNames: ['input_ids', 'attention_mask'], outputNames: ['logits'] });
    expect(s.linearWeights.length).toBeGreaterThanOrEqual(17);
    expect(s.linearWeights.every((w) => w.params === w.shape[0] * w.shape[1])).toBe(true);
  });

  it('tokens equal transformers.js PreTrainedTokenizer ids', async () => {
    const { PreTrainedTokenizer } = await import('@huggingface/transformers');
    const tj = JSON.parse(readFileSync(join(DEMO, 'tokenizer.json'), 'utf8'));
    const tc = JSON.parse(readFileSync(join(DEMO, 'tokenizer_config.json'), 'utf8'));
    const ref: number[] = new PreTrainedTokenizer(tj, tc).encode(text);
    expect(model.datasetIds.length).toBe(ref.length);
    expect(Array.from(model.datasetIds).every((v, i) => v === ref[i])).toBe(true);
  });

  it('written variant runs in onnxruntime-node: identity copy = same logits, zeroed head ≠', async () => {
    const ort = (await import('onnxruntime-node')).default;
    const ids = new ort.Tensor('int64', BigInt64Array.from(model.datasetIds.subarray(0, 16), BigInt), [1, 16]);
    const mask = new ort.Tensor('int64', new BigInt64Array(16).fill(1n), [1, 16]);
    const logits = async (bytes: Uint8Array) => {
      const s = await ort.InferenceSession.create(bytes);
      const out = (await s.run({ input_ids: ids, attention_mask: mask })).logits.data as Float32Array;
      await s.release();
      return out;
    };
    const base = await logits(model.baselineBytes);
    const all = new Map(model.linear.map((w) => [w.name, readF32(model.parsed.tensors.get(w.name)!).slice()]));
    const same = await logits(writeVariant(model.parsed, all));
    expect(Array.from(same)).toEqual(Array.from(base));
    const last = model.linear[model.linear.length - 1];
    const changed = await logits(writeVariant(model.parsed, new Map([[last.name, new Float32Array(last.params)]])));
    expect(changed.some((v, i) => v !== base[i])).toBe(true);
  });
});
