// Block indices from names, and the residual stream between blocks found in real exports (the demo
// GPT-2 with LayerNormalization nodes, the tiny Llama with RMSNorm written out in Pow/ReduceMean) and
// in graphs whose names carry no block index (found by counting norms).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blockCount, blockIndexIn, blockOf, blockOutputs, resolveBlocks } from './blocks';
import { decodeModel, type GraphProto, type NodeProto } from './onnx-graph';

const graphOf = (path: string) => decodeModel(new Uint8Array(readFileSync(path))).graph!;
const GPT2 = 'public/models/brown-gpt2/onnx/model.onnx';
const LLAMA = 'e2e/fixtures/tiny-llama/onnx/model.onnx';

describe('block index from a name', () => {
  it('reads GPT-2, Llama and node names; nothing from names outside the blocks', () => {
    expect(blockIndexIn('transformer.h.3.attn.c_proj.weight')).toBe(3);
    expect(blockIndexIn('/m/h.11/ln_1/LayerNormalization')).toBe(11);
    expect(blockIndexIn('model.layers.0.self_attn.q_proj.weight')).toBe(0);
    expect(blockIndexIn('/layers.1/post_attention_layernorm/Pow')).toBe(1);
    expect(blockIndexIn('model.decoder.layers.5.fc1.weight')).toBe(5);
    expect(blockIndexIn('onnx::MatMul_579')).toBeUndefined();
    expect(blockIndexIn('lm_head.weight')).toBeUndefined();
    expect(blockIndexIn('/m/ln_f/LayerNormalization')).toBeUndefined();
    expect(blockIndexIn('transformer.wte.weight')).toBeUndefined();
  });
  it('a weight with an opaque name takes its node\'s block', () => {
    expect(blockOf({ name: 'onnx::MatMul_612', node: '/layers.1/q_proj/MatMul' })).toBe(1);
    expect(blockOf({ name: 'onnx::MatMul_645', node: '/lm_head/MatMul' })).toBeUndefined();
    expect(blockCount([{ name: 'a', node: '/layers.0/x' }, { name: 'b', node: '/layers.3/y' }, { name: 'lm_head.weight' }])).toBe(4);
  });
  it('blocks are distinct integers from 0, sorted', () => {
    expect(resolveBlocks([3, 1])).toEqual([1, 3]);
    expect(resolveBlocks(undefined)).toBeUndefined();
    for (const bad of [[], [1, 1], [-1], [0.5], 'x']) expect(() => resolveBlocks(bad)).toThrow(/distinct block indices/);
  });
});

describe.skipIf(!existsSync(GPT2) || !existsSync(LLAMA))('block outputs in real exports', () => {
  it('GPT-2: the embeddings sum, each block\'s second residual Add, by the norms\' names', () => {
    const r = blockOutputs(graphOf(GPT2));
    expect(r.boundaries.map((b) => b.tensor)).toEqual(['/m/Add_output_0', '/m/h.0/Add_3_output_0', '/m/h.1/Add_3_output_0', '/m/h.2/Add_3_output_0', '/m/h.3/Add_3_output_0']);
    expect(r.boundaries.map((b) => b.label)).toEqual(['embeddings', 'block 0', 'block 1', 'block 2', 'block 3']);
    expect(r.rule).toMatch(/index in the node names/);
  });
  it('the KV-cache decoder of the same model: the same tensors', () => {
    const r = blockOutputs(graphOf('public/models/brown-gpt2/onnx/decoder_model_merged.onnx'));
    expect(r.boundaries.map((b) => b.tensor)).toEqual(blockOutputs(graphOf(GPT2)).boundaries.map((b) => b.tensor));
  });
  it('tiny Llama (RMSNorm as Pow → ReduceMean → … ): the embedding Gather and each block\'s last Add', () => {
    const r = blockOutputs(graphOf(LLAMA));
    expect(r.boundaries.map((b) => b.tensor)).toEqual(['/embed_tokens/Gather_output_0', '/layers.0/Add_4_output_0', '/layers.1/Add_4_output_0']);
  });
});

/** A pre-norm stack with opaque names: x → [norm, add, norm, add] × blocks → final norm. */
function opaqueStack(blocks: number, normsPerBlock: 1 | 2, decomposedLayerNorm = false): { g: GraphProto; stream: string[] } {
  const node: NodeProto[] = [];
  let k = 0;
  const n = (opType: string, input: string[]): string => {
    const out = `t${k++}`;
    node.push({ name: `n${k}`, opType, domain: '', input, output: [out], attribute: [] });
    return out;
  };
  const norm = (x: string) => {
    if (!decomposedLayerNorm) return n('LayerNormalization', [x, 'scale', 'bias']);
    const mean = n('ReduceMean', [x]);
    const d = n('Sub', [x, mean]);
    const v = n('ReduceMean', [n('Pow', [d, 'two'])]);
    return n('Div', [d, n('Sqrt', [v])]);
  };
  let x = n('Gather', ['emb', 'input_ids']);
  const stream = [x];
  for (let b = 0; b < blocks; b++) {
    for (let j = 0; j < normsPerBlock; j++) x = n('Add', [x, n('MatMul', [norm(x), `w${b}${j}`])]);
    stream.push(x);
  }
  n('MatMul', [norm(x), 'head']);
  return { g: { node, initializer: [], input: [], output: [] }, stream };
}

describe('block outputs without names', () => {
  it('2 norms a block + the final norm: every other norm input', () => {
    const { g, stream } = opaqueStack(3, 2);
    const r = blockOutputs(g);
    expect(r.boundaries.map((b) => b.tensor)).toEqual(stream);
    expect(r.rule).toMatch(/every other/);
  });
  it('LayerNorm written out (ReduceMean, Sub, Pow, ReduceMean): its x taken once', () => {
    const { g, stream } = opaqueStack(2, 2, true);
    expect(blockOutputs(g).boundaries.map((b) => b.tensor)).toEqual(stream);
  });
  it('1 norm a block (parallel attention and MLP): every norm input', () => {
    const { g, stream } = opaqueStack(3, 1);
    expect(blockOutputs(g).boundaries.map((b) => b.tensor)).toEqual(stream);
  });
  it('no norm at all: says so', () => {
    expect(() => blockOutputs({ node: [], initializer: [], input: [], output: [] })).toThrow(/no normalization/);
  });
});
