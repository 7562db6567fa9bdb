// An LM head tied to the token embedding, each way a file keeps it: one initializer read by Gather
// and Gemm (shared), a second copy (same or transposed), or Transpose(table) (folded into a copy by
// the float reference). Found bit for bit; a copy off by one weight is not tied. The shipped demo LM is a
// transposed copy (torch.onnx wrote lm_head.weight = wteᵀ): compressing its head (opt-in) packs that
// copy and leaves the embedding's Gather reading the f32 table.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compressTensor } from '../compression/registry';
import { packedFormOf } from '../formats/form-of';
import { writePackedModel } from '../formats/packed-model';
import { floatReference } from './float-reference';
import { buildModel, gatherFiles, type DroppedFile } from './load';
import { findLinearWeights, onnx, parseModel, readF32 } from './onnx-graph';
import { lmHeadOf } from './lm-head';
import { tiedHead } from './tied-head';
import { tiedHeadSentence } from '../../src/components/TiedHeadNote';

const V = 6, H = 4;
const E = Float32Array.from({ length: V * H }, (_, i) => Math.sin(i + 1));
const ET = Float32Array.from({ length: H * V }, (_, i) => E[(i % V) * H + Math.floor(i / V)]);
const f32 = (name: string, dims: number[], v: Float32Array) => ({ name, dims, dataType: 1, rawData: new Uint8Array(v.slice().buffer) });

function model(head: 'shared' | 'copy' | 'transposed-copy' | 'through-transpose' | 'untied' | 'almost') {
  const inits = [f32('E', [V, H], E)];
  const nodes: object[] = [{ opType: 'Gather', input: ['E', 'input_ids'], output: ['h'], name: 'embed' }];
  const gemm = (b: string) => ({ opType: 'Gemm', input: ['h2', b], output: ['logits2'], name: 'head', attribute: [{ name: 'transB', type: 2, i: 1 }] });
  nodes.push({ opType: 'Reshape', input: ['h', 'flat'], output: ['h2'], name: 'flatten' });
  inits.push({ name: 'flat', dims: [2], dataType: 7, rawData: new Uint8Array(BigInt64Array.from([-1n, BigInt(H)]).buffer) } as never);
  if (head === 'shared') nodes.push(gemm('E'));
  else if (head === 'copy') {
    inits.push(f32('lm_head.weight', [V, H], E));
    nodes.push(gemm('lm_head.weight'));
  } else {
    const w = head === 'untied' ? ET.map((x) => x * 2) : head === 'almost' ? ET.map((x, i) => (i === 5 ? x + 1e-3 : x)) : ET;
    if (head === 'through-transpose') nodes.push({ opType: 'Transpose', input: ['E'], output: ['lm_head.weight'], name: 't', attribute: [{ name: 'perm', type: 7, ints: [1, 0] }] });
    else inits.push(f32('lm_head.weight', [H, V], w));
    nodes.push({ opType: 'MatMul', input: ['h2', 'lm_head.weight'], output: ['logits2'], name: 'head' });
  }
  nodes.push({ opType: 'Unsqueeze', input: ['logits2', 'zero'], output: ['logits'], name: 'batch' });
  inits.push({ name: 'zero', dims: [1], dataType: 7, rawData: new Uint8Array(new BigInt64Array(1).buffer) } as never);
  const vi = (name: string, elemType: number) => ({ name, type: { tensorType: { elemType } } });
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'tied', node: nodes, initializer: inits, input: [vi('input_ids', 7)], output: [vi('logits', 1)] },
  })).finish();
}

/** What load.ts does: the float reference (when there is one), its linear weights, the tie. */
function tieOf(bytes: Uint8Array) {
  const published = parseModel(bytes);
  const parsed = floatReference(published)?.parsed ?? published;
  const linear = findLinearWeights(parsed);
  return tiedHead(parsed, linear, published.proto, lmHeadOf(parsed, linear));
}

describe('a head tied to the embedding', () => {
  it('is found however the file keeps it, and only when bit-equal', () => {
    expect(tieOf(model('shared'))).toEqual({ head: 'E', embedding: 'E', stored: 'shared' });
    expect(tieOf(model('copy'))).toEqual({ head: 'lm_head.weight', embedding: 'E', stored: 'copy' });
    expect(tieOf(model('transposed-copy'))).toEqual({ head: 'lm_head.weight', embedding: 'E', stored: 'transposed-copy' });
    expect(tieOf(model('through-transpose'))).toEqual({ head: 'lm_head.weight', embedding: 'E', stored: 'through-transpose' });
    expect(tieOf(model('untied'))).toBeUndefined();
    expect(tieOf(model('almost'))).toBeUndefined();
  });
  it('the card says what a variant compresses by default (neither) and what each opt-in does to the embedding', () => {
    const sentences = (['shared', 'copy', 'transposed-copy', 'through-transpose'] as const).map((stored) => tiedHeadSentence({ head: 'lm_head.weight', embedding: 'wte', stored }));
    for (const s of sentences) expect(s).toMatch(/By default a variant compresses neither: both stay f32/);
    expect(tiedHeadSentence({ head: 'E', embedding: 'E', stored: 'shared' })).toMatch(/"LM head too" or "embedding too" compresses the one tensor once and the Gather reads the compressed table/);
    expect(tiedHeadSentence({ head: 'lm_head.weight', embedding: 'wte', stored: 'transposed-copy' })).toMatch(/stored twice.*equals the embedding "wte" transposed.*"LM head too" compresses the head's copy only.*Gather keeps reading "wte" in f32.*"embedding too" compresses the head and points the Gather at it/);
    expect(tiedHeadSentence({ head: 'lm_head.weight', embedding: 'wte', stored: 'through-transpose' })).toMatch(/stores "wte" once.*folds that Transpose into a copy/);
  });
});

const DEMO = 'public/models/brown-gpt2';
const haveDemo = existsSync(join(DEMO, 'onnx/model.onnx'));

describe.skipIf(!haveDemo)('the demo LM (a GPT-2 with its head tied to the embedding)', () => {
  // the shipped export keeps the head as a transposed copy (lm_head.weight = wteᵀ, MatMul); tools/gpt.py
  // now exports it as Gemm(transB = 1) on the table itself (shared): both are checked for what they do
  it('is noticed; an INT4 head packs the copy (the Gather keeps the f32 table) or the one table (the Gather reads it packed)', async () => {
    const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].map((p): DroppedFile => {
      const b = readFileSync(join(DEMO, p));
      return { path: p, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
    });
    const m = buildModel(gatherFiles(files), 'The jury said.');
    const tied = m.summary.tiedHead!;
    expect(tied.embedding).toBe('transformer.wte.weight');
    expect(['transposed-copy', 'shared']).toContain(tied.stored);
    const head = m.linear.find((w) => w.name === tied.head)!;
    expect(head.shared).toBe(tied.stored === 'shared');
    const r = await compressTensor('int4-group', { groupSize: 32 }, { name: head.name, data: readF32(m.parsed.tensors.get(head.name)!).slice(), shape: head.shape, layout: head.layout }, 'cpu');
    const packed = parseModel(writePackedModel(m.parsed, m.linear, new Map([[head.name, packedFormOf('int4-group', r.options, r, head)]])));
    const g = packed.proto.graph!;
    const nbits = g.node.filter((n) => n.opType === 'MatMulNBits');
    expect(nbits.length).toBe(1);
    if (tied.stored === 'transposed-copy') {
      expect(tied.head).toBe('lm_head.weight');
      expect(g.node.find((n) => n.input.includes('transformer.wte.weight'))?.opType).toBe('Gather');
      expect(packed.tensors.get('transformer.wte.weight')?.dataType).toBe(1);
      expect(packed.tensors.has('lm_head.weight')).toBe(false);
    } else {
      expect(packed.tensors.has('transformer.wte.weight')).toBe(false);
      expect(g.node.some((n) => n.opType === 'GatherBlockQuantized' && n.input[0].startsWith(nbits[0].input[1]))).toBe(true);
    }
  });
});
