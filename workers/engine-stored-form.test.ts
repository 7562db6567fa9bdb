// The engine labels what ran from how the variant is stored: a 3-bit variant is stored f32
// (storage 'simulated': no onnxruntime-web op runs 3-bit codes), so its perplexity, speed and
// generation are simulated (f32) numbers, with the format as the reason; an INT4 variant stored
// packed stays 'packed'. Only the engine is real here: loading, the make, sessions and the
// measurements are stubbed, since the label depends on the variant's storage alone.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { VariantSummary } from './api';

const { stored } = vi.hoisted(() => ({ stored: { storage: 'simulated', format: 'simulated (f32): no onnxruntime op runs 3-bit weights' } as Pick<VariantSummary, 'storage' | 'format'> }));

vi.mock('./capabilities', () => ({ capabilities: async () => ({ webgpu: false, webgpuReason: 'stub', wasmThreads: 2, adapter: undefined }) }));
vi.mock('./model/load', () => ({
  gatherDemo: async () => ({ proto: {}, config: {} }),
  fetchDataset: async () => 'text',
  fetchExamples: async () => '',
  gatherDropped: async () => ({}),
  readExternal: async () => ({}),
  withTokenizer: async () => ({}),
  buildModel: () => ({
    summary: { id: 'demo:t', name: 't', task: 'causal-lm', nPositions: 16, vocabSize: 4, datasetName: 'd' },
    baselineBytes: new Uint8Array(1), baselineSize: 1, datasetIds: new Int32Array(32), tokenizer: {}, folder: { tokenizerJson: {} },
  }),
}));
vi.mock('./model/classifier', () => ({ isClassifier: () => false }));
vi.mock('./variants/make-variant', () => ({
  resolveSpec: (s: unknown) => s,
  variantId: () => 'v',
  makeVariant: async () => ({ summary: { id: 'v', modelId: 'demo:t', label: 'RTN 3-bit', ...stored }, packedBytes: new Uint8Array(1) }),
}));
vi.mock('./eval/ort-runtime', () => ({ getSession: async () => ({}), releaseSessions: async () => undefined }));
vi.mock('./eval/token-bytes', () => ({ tokenizerFacts: () => ({ bytes: new Uint16Array(4), bos: '' }) }));
vi.mock('./eval/f16-fallback', () => ({ f32InsteadOfHalf: async () => undefined, baselineAsRun: async () => ({}), NO_SHADER_F16: '' }));
vi.mock('./eval/agreement', () => ({ agreeWithOtherBackend: () => undefined, forgetScores: () => undefined }));
vi.mock('./eval/evaluate', () => ({
  evaluateTarget: async () => ({ perplexity: { ppl: 9 }, throughput: { tokensPerS: 1 }, scores: {} }),
}));
vi.mock('./eval/batch-speed', () => ({ prefillSpeedOf: async () => ({ medianMs: 1, tokensPerS: 1 }) }));
vi.mock('./eval/generate', () => ({ generateTarget: async () => ({ text: 'x', tokens: [1], tokensPerS: 1 }) }));

const { createEngine } = await import('./engine');

async function madeVariant() {
  const lab = createEngine();
  const m = await lab.loadDemo('t');
  const v = await lab.makeVariant(m.id, { method: 'rtn', options: { bits: 3 } } as never, 'cpu', 'j0', () => undefined);
  return { lab, m: m.id, v: v.id };
}
const evalSettings = { backend: 'wasm' as const, tokens: 16, context: 16, stride: 16, throughputRuns: 1 };

describe('what the engine says ran, from the variant storage', () => {
  beforeEach(() => {
    stored.storage = 'simulated';
    stored.format = 'simulated (f32): no onnxruntime op runs 3-bit weights';
  });

  it('a variant stored simulated (3-bit): evaluation, speed and generation say simulated, the format as the reason', async () => {
    const { lab, m, v } = await madeVariant();
    const e = await lab.evaluate(m, v, evalSettings, 'j1', () => undefined);
    expect(e.form).toBe('simulated');
    expect(e.formReason).toContain('no onnxruntime op runs 3-bit weights');
    const p = await lab.prefillSpeed(m, v, { backend: 'wasm', batch: 1, seqLen: 8, runs: 1 }, 'j2', () => undefined);
    expect(p.form).toBe('simulated');
    expect(p.formReason).toContain('3-bit');
    const g = await lab.generate(m, v, { backend: 'wasm', prompt: 'a', maxNewTokens: 1 }, 'j3', () => undefined);
    expect(g.form).toBe('simulated');
    // every speed figure names where it ran (issue 6)
    expect([e.wasmThreads, p.wasmThreads, g.wasmThreads]).toEqual([2, 2, 2]);
  });

  it('a variant stored packed (INT4) runs packed: no reason', async () => {
    stored.storage = 'packed';
    stored.format = 'MatMulNBits 4-bit, block 32';
    const { lab, m, v } = await madeVariant();
    const e = await lab.evaluate(m, v, evalSettings, 'j4', () => undefined);
    expect(e.form).toBe('packed');
    expect(e.formReason).toBeUndefined();
    const p = await lab.prefillSpeed(m, v, { backend: 'wasm', batch: 1, seqLen: 8, runs: 1 }, 'j5', () => undefined);
    expect(p.form).toBeUndefined();
  });
});
