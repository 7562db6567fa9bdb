// A lone .onnx (no config.json, no tokenizer.json): what the graph says about itself, the refusal
// that asks for a tokenizer, the vocabulary check of a built-in one, and the model it loads as with
// the demo LM's tokenizer = the demo folder (same tokens, same context, same vocabulary).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildModel, gatherFiles, withTokenizer } from './load';
import { configFromGraph, graphFacts } from './graph-facts';
import { checkBuiltinFits, tokenizerVocabSize } from './builtin-tokenizer';
import { decodeModel } from './onnx-graph';

const DEMO = 'public/models/brown-gpt2-tiny';
const read = (p: string) => {
  const b = readFileSync(p);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
};
const json = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
const text = readFileSync('public/datasets/brown-test.txt', 'utf8').slice(0, 20_000);

describe('a lone .onnx', () => {
  it('reads vocabulary, positions, layers, heads and head size off the graph', () => {
    expect(graphFacts(decodeModel(new Uint8Array(read(`${DEMO}/onnx/model.onnx`))))).toMatchObject({ vocabSize: 8192, nPositions: 256 });
    const kv = graphFacts(decodeModel(new Uint8Array(read(`${DEMO}/onnx/decoder_model_merged.onnx`))));
    expect(kv).toMatchObject({ vocabSize: 8192, layers: 4, kvHeads: 4, headDim: 16 });
    expect(configFromGraph(decodeModel(new Uint8Array(read(`${DEMO}/onnx/model.onnx`))))).toMatchObject({ vocab_size: 8192, n_positions: 256 });
  });

  it('without a tokenizer is refused with the graph vocabulary; a built-in of another size is refused', async () => {
    const src = gatherFiles([{ path: 'model.onnx', data: read(`${DEMO}/onnx/model.onnx`) }]);
    expect(src.name).toBe('model');
    await expect(withTokenizer(src)).rejects.toThrow(/model\.onnx: expected tokenizer\.json beside the model, it came without one \(its graph has a vocabulary of 8,192, from its embedding transformer\.wte\.weight \(8192 × 64\)\)/);
    const facts = graphFacts(src.proto);
    expect(tokenizerVocabSize(json('public/models/brown-bert-genre/tokenizer.json'))).toBe(8195);
    expect(() => checkBuiltinFits('brown-bert-genre', json('public/models/brown-bert-genre/tokenizer.json'), facts, 'model.onnx'))
      .toThrow("the demo classifier's WordPiece has 8,195 tokens, and model.onnx has a vocabulary of 8,192");
    expect(() => checkBuiltinFits('brown-gpt2-tiny', json(`${DEMO}/tokenizer.json`), facts, 'model.onnx')).not.toThrow();
  });

  it('a KV-cache decoder with rotary positions: layers, kv heads and head size from its past inputs, no context guessed', () => {
    const lone = gatherFiles([{ path: 'decoder_model.onnx', data: read('e2e/fixtures/tiny-llama/onnx/decoder_model.onnx') }]);
    // GQA: 4 query heads, 2 key/value heads; the graph shows only the latter
    expect(lone.config).toEqual({ model_type: 'unknown', vocab_size: 8192, num_hidden_layers: 2, num_key_value_heads: 2, head_dim: 10, _from_graph: ['vocab_size', 'num_hidden_layers', 'num_key_value_heads', 'head_dim'] });
    const m = buildModel({ ...lone, tokenizerJson: json(`${DEMO}/tokenizer.json`), tokenizerConfig: {} }, text);
    expect(m.summary).toMatchObject({ name: 'decoder_model', graphKind: 'kv-cache', nPositions: 0, vocabSize: 8192 });
  });

  it('with the demo LM tokenizer loads as the demo folder does', () => {
    const lone = gatherFiles([{ path: 'model.onnx', data: read(`${DEMO}/onnx/model.onnx`) }]);
    const picked = { ...lone, tokenizerJson: json(`${DEMO}/tokenizer.json`), tokenizerConfig: json(`${DEMO}/tokenizer_config.json`), tokenizerFrom: 'brown-gpt2-tiny' };
    const folder = gatherFiles(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].map((p) => ({ path: `brown-gpt2-tiny/${p}`, data: read(`${DEMO}/${p}`) })));
    const a = buildModel(picked, text);
    const b = buildModel(folder, text);
    expect(a.summary).toMatchObject({ nPositions: 256, vocabSize: 8192, configFromGraph: ['vocab_size', 'n_positions'], tokenizerFrom: 'brown-gpt2-tiny' });
    expect(a.summary.id).toMatch(/:tokenizer=brown-gpt2-tiny$/);
    expect([a.summary.nPositions, a.summary.vocabSize, a.linear.length]).toEqual([b.summary.nPositions, b.summary.vocabSize, b.linear.length]);
    expect(Array.from(a.datasetIds)).toEqual(Array.from(b.datasetIds));
  });
});
