/**
 * Models as people publish them, in Chromium: the demo LM's KV-cache decoder
 * (onnx/decoder_model_merged.onnx, past_key_values.N.* inputs) loads from a dropped folder, is
 * evaluated with an empty past on WASM with the same perplexity as onnxruntime-node on the same
 * file (scripts/ppl-node.ts), and compresses to a packed INT4 variant whose perplexity equals its
 * f32 twin's. A model published already compressed (the lab's own INT4 export, MatMulNBits)
 * loads back as a compressed baseline: evaluated as published on WASM and WebGPU with
 * onnxruntime-node's perplexity, listed with its format, and compressed again from its float
 * reference.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import type { Capabilities, ClassificationResult, EvalResult, EvalSettings, ModelSummary, VariantSummary } from '../workers/api';
import { ok, type Outcome } from './harness/outcome';
import { nodeRefAsync, type NodePpl } from './helpers/node-ref';

async function harness(page: Page) {
  await page.goto('/e2e/harness/engine.html');
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 60_000 });
  return <T>(fn: string, ...args: unknown[]) =>
    page.evaluate(([f, a]) => (window as any).harness[f as string](...(a as unknown[])), [fn, args] as const) as Promise<Outcome<T>>;
}

/** scripts/ppl-node.ts on the same file and windows, started now: a test starts it before the page works and awaits it after. */
function pplNode(folder: string, tokens: number, onnxFile = 'onnx/model.onnx'): Promise<NodePpl> {
  return nodeRefAsync<NodePpl>('scripts/ppl-node.ts', ['--model', folder, '--onnx', onnxFile, '--tokens', String(tokens), '--context', '256', '--stride', '256']);
}

test('a KV-cache decoder loads, evaluates with an empty past and compresses', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  const reference = pplNode('public/models/brown-gpt2', 1024, 'onnx/decoder_model_merged.onnx');
  const call = await harness(page);
  const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/decoder_model_merged.onnx'];
  const model = ok(await call<ModelSummary>('loadFolder', '/models/brown-gpt2/', files));
  expect(model.graphKind).toBe('kv-cache');
  expect(model.onnxPath).toBe('onnx/decoder_model_merged.onnx');
  const settings: EvalSettings = { backend: 'wasm', tokens: 1024, context: 256, stride: 256, throughputRuns: 0 };
  const base = ok(await call<EvalResult>('evaluate', model.id, 'baseline', settings));
  const node = await reference;
  console.log(`kv-cache decoder, empty past: lab WASM ppl ${base.perplexity.ppl.toFixed(4)}, onnxruntime-node ${node.ppl.toFixed(4)}`);
  expect(base.perplexity.tokensScored).toBe(node.tokensScored);
  expect(Math.abs(base.perplexity.ppl / node.ppl - 1)).toBeLessThan(1e-3);

  const v = ok(await call<VariantSummary>('makeVariant', model.id, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu'));
  const packed = ok(await call<EvalResult>('evaluate', model.id, v.id, settings));
  const simulated = ok(await call<EvalResult>('evaluate', model.id, v.id, { ...settings, form: 'simulated' }));
  expect(packed.form).toBe('packed');
  expect(Math.abs(packed.perplexity.ppl / simulated.perplexity.ppl - 1)).toBeLessThan(0.005);
});

test('a model published already compressed loads as a compressed baseline and compresses again from its float reference', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  const call = await harness(page);
  const demo = ok(await call<ModelSummary>('loadDemo', 'brown-gpt2'));
  // the LM head opted in: every linear weight published packed (the lab leaves the head f32 by default)
  const int4 = ok(await call<VariantSummary>('makeVariant', demo.id, { method: 'int4-group', options: { groupSize: 32 }, head: true }, 'cpu'));
  const settings: EvalSettings = { backend: 'wasm', tokens: 512, context: 256, stride: 256, throughputRuns: 0 };
  const asVariant = ok(await call<EvalResult>('evaluate', demo.id, int4.id, settings));
  const exp = ok(await call<{ fileName: string; base64: string }>('exportVariant', demo.id, int4.id, [asVariant]));
  // unzipped where the dev server serves it, as a person would unzip the download and drop the folder
  const dir = join('test-results', 'published', 'demo-int4');
  rmSync(dir, { recursive: true, force: true });
  const files = unzipSync(Buffer.from(exp.base64, 'base64'));
  for (const [p, b] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), b);
  }
  const model = ok(await call<ModelSummary>('loadFolder', `/${dir}/`, ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']));
  expect(model.published?.compute).toBe('f32');
  expect(model.published?.weights.map((w) => `${w.format} ${w.bits} ${w.blockSize}`)).toEqual(demo.linearWeights.map(() => 'MatMulNBits 4 32'));
  expect(model.linearWeights.map((w) => w.shape)).toEqual(demo.linearWeights.map((w) => w.shape));
  // the export holds the variant made again on the demo's KV-cache decoder (workers/variants/export-graph.ts): same weights, with a cache
  expect(model.graphKind).toBe('kv-cache');
  expect(model.onnxBytes).toBe(files['onnx/model.onnx'].length);

  const base = ok(await call<EvalResult>('evaluate', model.id, 'baseline', settings));
  const node = await pplNode(dir, 512);
  console.log(`published INT4 g32: lab WASM baseline ppl ${base.perplexity.ppl.toFixed(4)}, as a variant of the demo ${asVariant.perplexity.ppl.toFixed(4)}, onnxruntime-node ${node.ppl.toFixed(4)}`);
  expect(base.perplexity.tokensScored).toBe(node.tokensScored);
  expect(Math.abs(base.perplexity.ppl / node.ppl - 1)).toBeLessThan(1e-3);
  expect(Math.abs(base.perplexity.ppl / asVariant.perplexity.ppl - 1)).toBeLessThan(1e-6);
  const caps = (await page.evaluate(() => (window as any).harness.capabilities())) as Capabilities;
  if (caps.webgpu) {
    const small = { ...settings, tokens: 64 };
    const [gpu, cpu] = [ok(await call<EvalResult>('evaluate', model.id, 'baseline', { ...small, backend: 'webgpu' })), ok(await call<EvalResult>('evaluate', model.id, 'baseline', small))];
    console.log(`published INT4 g32, 64 tokens: WebGPU ppl ${gpu.perplexity.ppl.toFixed(4)}, WASM ${cpu.perplexity.ppl.toFixed(4)}`);
    expect(Math.abs(gpu.perplexity.ppl / cpu.perplexity.ppl - 1)).toBeLessThan(1e-3);
  }
  // compressed again from the float reference: pruning the dequantized weights keeps them dense f32
  const pruned = ok(await call<VariantSummary>('makeVariant', model.id, { method: 'magnitude-prune', options: { ratio: 0.5 } }, 'cpu'));
  const again = ok(await call<EvalResult>('evaluate', model.id, pruned.id, settings));
  console.log(`published INT4 g32, then 50 % pruned: ppl ${again.perplexity.ppl.toFixed(4)}`);
  expect(again.perplexity.ppl).toBeGreaterThan(base.perplexity.ppl);
  expect(Number.isFinite(again.perplexity.ppl)).toBe(true);
});

test('a tiny Llama (RMSNorm, RoPE, SwiGLU, grouped-query attention, untied head, hidden 40) loads, evaluates and compresses, prefill and KV-cache graphs', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  const call = await harness(page);
  const dir = 'e2e/fixtures/tiny-llama';
  const settings: EvalSettings = { backend: 'wasm', tokens: 256, context: 256, stride: 256, throughputRuns: 0 };
  const graphs = ['onnx/model.onnx', 'onnx/decoder_model.onnx'];
  const references = new Map(graphs.map((g) => [g, pplNode(dir, 256, g)]));
  for (const onnxFile of graphs) {
    const model = ok(await call<ModelSummary>('loadFolder', `/${dir}/`, ['config.json', 'tokenizer.json', 'tokenizer_config.json', onnxFile]));
    expect(model.modelType).toBe('llama');
    expect(model.graphKind).toBe(onnxFile.includes('decoder') ? 'kv-cache' : 'prefill');
    // q, k, v (GQA: 20 wide), o, gate, up, down per block, and the untied head
    expect(model.linearWeights.length).toBe(2 * 7 + 1);
    expect(model.linearWeights.filter((w) => w.shape[1] === 20).length).toBe(4);
    const base = ok(await call<EvalResult>('evaluate', model.id, 'baseline', settings));
    const node = await references.get(onnxFile)!;
    console.log(`tiny llama ${onnxFile}: lab WASM ppl ${base.perplexity.ppl.toFixed(4)}, onnxruntime-node ${node.ppl.toFixed(4)}`);
    expect(base.perplexity.tokensScored).toBe(node.tokensScored);
    expect(Math.abs(base.perplexity.ppl / node.ppl - 1)).toBeLessThan(1e-3);
    if (onnxFile !== 'onnx/model.onnx') continue;
    // K = 40 and 108: the last INT4 group of each column is short (padded in MatMulNBits)
    const v = ok(await call<VariantSummary>('makeVariant', model.id, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu'));
    const packed = ok(await call<EvalResult>('evaluate', model.id, v.id, settings));
    const simulated = ok(await call<EvalResult>('evaluate', model.id, v.id, { ...settings, form: 'simulated' }));
    console.log(`tiny llama INT4 g32: packed ppl ${packed.perplexity.ppl.toFixed(4)}, f32 twin ${simulated.perplexity.ppl.toFixed(4)}`);
    expect(packed.form).toBe('packed');
    expect(Math.abs(packed.perplexity.ppl / simulated.perplexity.ppl - 1)).toBeLessThan(1e-4);
    const caps = (await page.evaluate(() => (window as any).harness.capabilities())) as Capabilities;
    if (caps.webgpu) {
      const small = { ...settings, tokens: 64 };
      const gpu = ok(await call<EvalResult>('evaluate', model.id, v.id, { ...small, backend: 'webgpu' }));
      const cpu = ok(await call<EvalResult>('evaluate', model.id, v.id, small));
      console.log(`tiny llama INT4 g32, 64 tokens: WebGPU ppl ${gpu.perplexity.ppl.toFixed(4)}, WASM ${cpu.perplexity.ppl.toFixed(4)}`);
      expect(Math.abs(gpu.perplexity.ppl / cpu.perplexity.ppl - 1)).toBeLessThan(1e-3);
    }
  }
});

test('the demo sequence classifier loads in one call, classifies like onnxruntime-node and compresses', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  const reference = nodeRefAsync<{ accuracy: number }>('scripts/classify-node.ts', ['--limit', '120'], 240_000);
  const call = await harness(page);
  const model = ok(await call<ModelSummary>('loadDemo', 'brown-bert-genre'));
  expect(model.task).toBe('sequence-classification');
  expect(model.labels).toEqual(['press', 'fiction', 'learned', 'nonfiction']);
  expect(model.examples?.count).toBe(700);
  expect(model.linearWeights.length).toBeGreaterThanOrEqual(2 * 6 + 1);
  const refused = await call('evaluate', model.id, 'baseline', { backend: 'wasm', tokens: 256, context: 128, stride: 128, throughputRuns: 0 });
  expect(refused.ok ? '' : refused.name).toBe('BadOption');

  // the first 120 of the 700 test examples keep this test short (tokenization and runtime agree exactly, so the accuracies must too)
  const base = ok(await call<ClassificationResult>('classify', model.id, 'baseline', { backend: 'wasm', examples: 120 }));
  const node = await reference;
  console.log(`demo classifier, 120 examples: lab WASM accuracy ${base.accuracy.toFixed(4)} (macro F1 ${base.macroF1.toFixed(4)}, ${base.samplesPerS.toFixed(0)} samples/s), onnxruntime-node ${node.accuracy.toFixed(4)}`);
  expect(base.examples).toBe(120);
  expect(Math.abs(base.accuracy - node.accuracy)).toBeLessThan(0.002);
  expect(base.confusion.flat().reduce((a, b) => a + b, 0)).toBe(120);
  expect(base.perClass.map((c) => c.support)).toEqual(base.confusion.map((row) => row.reduce((a, b) => a + b, 0)));

  const caps = (await page.evaluate(() => (window as any).harness.capabilities())) as Capabilities;
  if (caps.webgpu) {
    const [gpu, cpu] = [ok(await call<ClassificationResult>('classify', model.id, 'baseline', { backend: 'webgpu', examples: 12 })), ok(await call<ClassificationResult>('classify', model.id, 'baseline', { backend: 'wasm', examples: 12 }))];
    console.log(`demo classifier, 12 examples: WebGPU accuracy ${gpu.accuracy.toFixed(4)}, WASM ${cpu.accuracy.toFixed(4)}`);
    expect(gpu.confusion).toEqual(cpu.confusion);
  }
  const int4 = ok(await call<VariantSummary>('makeVariant', model.id, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu'));
  const q = ok(await call<ClassificationResult>('classify', model.id, int4.id, { backend: 'wasm', examples: 120 }));
  console.log(`demo classifier INT4 g32 (${q.form}): accuracy ${q.accuracy.toFixed(4)}, macro F1 ${q.macroF1.toFixed(4)}`);
  expect(q.form).toBe('packed');
  expect(q.accuracy).toBeGreaterThan(0.4);
});
