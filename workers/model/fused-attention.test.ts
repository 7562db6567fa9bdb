// Fused attention (com.microsoft Attention / MultiHeadAttention) is not head-prunable, and the lab
// says why: on load (ModelSummary.fusedAttention, which the model card shows) and when heads are
// pruned (the same reason). Two small graphs written here: GPT-2's block with a fused Attention
// (Q/K/V packed in the op's own weight) and with MultiHeadAttention after separate Q/K/V MatMuls.
// Their MLP neurons are still pruned, and the rewritten model runs in onnxruntime-node.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { MODELS, ort, loadDemoLm } from '../../tests/local-models';
import { buildModel, gatherFiles, type DroppedFile } from './load';
import { planStructured, writeStructuredModel } from '../variants/structured';
import { fusedAttentionNote } from './fused-attention';
import { findLinearWeights, onnx, parseModel } from './onnx-graph';

const H = 8;
const V = 16;
const S = 5;

function graph(kind: 'Attention' | 'MultiHeadAttention'): Uint8Array {
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.5;
  const f32 = (name: string, dims: number[]) => ({ name, dims, dataType: 1, rawData: new Uint8Array(Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, rand).buffer) });
  const inits = [f32('wte', [V, H]), f32('w_o', [H, H]), f32('w_fc', [H, 4 * H]), f32('b_fc', [4 * H]), f32('w_proj', [4 * H, H]), f32('head', [H, V])];
  const ms = 'com.microsoft';
  const heads = { name: 'num_heads', type: onnx.AttributeProto.AttributeType.INT, i: 2 };
  const nodes: object[] = [{ opType: 'Gather', input: ['wte', 'input_ids'], output: ['x'], name: 'embed' }];
  if (kind === 'Attention') {
    inits.push(f32('w_qkv', [H, 3 * H]), f32('b_qkv', [3 * H]));
    nodes.push({ opType: 'Attention', domain: ms, input: ['x', 'w_qkv', 'b_qkv'], output: ['a'], name: 'attn', attribute: [heads] });
  } else {
    inits.push(f32('w_q', [H, H]), f32('w_k', [H, H]), f32('w_v', [H, H]));
    for (const p of ['q', 'k', 'v']) nodes.push({ opType: 'MatMul', input: ['x', `w_${p}`], output: [p], name: `proj_${p}` });
    nodes.push({ opType: 'MultiHeadAttention', domain: ms, input: ['q', 'k', 'v'], output: ['a'], name: 'attn', attribute: [heads] });
  }
  nodes.push(
    { opType: 'MatMul', input: ['a', 'w_o'], output: ['o'], name: 'attn_out' },
    { opType: 'Add', input: ['x', 'o'], output: ['h'], name: 'res1' },
    { opType: 'MatMul', input: ['h', 'w_fc'], output: ['u'], name: 'fc' },
    { opType: 'Add', input: ['u', 'b_fc'], output: ['ub'], name: 'fc_bias' },
    { opType: 'Relu', input: ['ub'], output: ['r'], name: 'act' },
    { opType: 'MatMul', input: ['r', 'w_proj'], output: ['d'], name: 'proj' },
    { opType: 'Add', input: ['h', 'd'], output: ['h2'], name: 'res2' },
    { opType: 'MatMul', input: ['h2', 'head'], output: ['logits'], name: 'lm_head' },
  );
  const vi = (name: string, elemType: number) => ({ name, type: { tensorType: { elemType } } });
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }, { domain: ms, version: 1 }],
    graph: { name: kind, node: nodes, initializer: inits, input: [vi('input_ids', 7)], output: [vi('logits', 1)] } as never,
  })).finish();
}

describe('fused attention', () => {
  for (const kind of ['Attention', 'MultiHeadAttention'] as const) {
    it(`${kind}: the load note and the head-pruning refusal give the reason; MLP neurons are pruned and the model runs`, async () => {
      const m = parseModel(graph(kind));
      const linear = findLinearWeights(m);
      const note = fusedAttentionNote(m);
      expect(note).toMatch(new RegExp(`^Attention heads cannot be pruned: this graph computes attention in fused com\\.microsoft ops \\(1 × ${kind}\\), which keep the heads inside one node \\(the head count is its num_heads attribute`));
      await expect(planStructured(m, linear, { ratio: 0.5, unit: 'heads' }, 'cpu')).rejects.toThrow(`structured-prune: ${note}`);
      const plan = await planStructured(m, linear, { ratio: 0.5 }, 'cpu');
      expect(plan.search.mlps.map((x) => x.down.name)).toEqual(['w_proj']);
      const s = await ort.InferenceSession.create(writeStructuredModel(m, plan).bytes, { executionProviders: ['cpu'] });
      const out = await s.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from({ length: S }, (_, i) => BigInt(i)), [1, S]) });
      await s.release();
      expect(out.logits.dims).toEqual([1, S, V]);
      expect([...(out.logits.data as Float32Array)].every(Number.isFinite)).toBe(true);
    });
  }

  it('loaded as a dropped folder, the summary carries the note (the model card shows it); the demo LM (attention written out as MatMul → Reshape → Softmax) has none', () => {
    const demo = loadDemoLm('brown-gpt2-tiny');
    expect(fusedAttentionNote(demo.parsed)).toBeUndefined();
    expect(demo.summary.fusedAttention).toBeUndefined();
    const file = (p: string, data: Uint8Array | string): DroppedFile => {
      const b = typeof data === 'string' ? new TextEncoder().encode(data) : data;
      return { path: p, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
    };
    const dir = `${MODELS}/brown-gpt2-tiny`;
    const files = [file('onnx/model.onnx', graph('Attention')), file('config.json', JSON.stringify({ model_type: 'gpt2', n_positions: 32, vocab_size: V })), ...['tokenizer.json', 'tokenizer_config.json'].map((p) => file(p, readFileSync(`${dir}/${p}`)))];
    const loaded = buildModel(gatherFiles(files), 'a short text to evaluate on');
    expect(loaded.summary.fusedAttention).toBe(fusedAttentionNote(loaded.parsed));
    expect(loaded.summary.fusedAttention).toMatch(/1 × Attention/);
  });
});
