/**
 * More models as people publish them, in Chromium (fixtures in e2e/fixtures/, built by
 * tools/make_tiny_llama.py and tools/make_gpt2_classifier.py):
 *   - a KV-cache decoder with 3-D position_ids (mrope) and logits_to_keep scores and writes like the
 *     plain tiny Llama it shares weights with;
 *   - an int8 dynamic model (DynamicQuantizeLinear + MatMulInteger) is evaluated as published with
 *     onnxruntime-node's perplexity and compressed again from its float reference;
 *   - an fp16 graph runs as published on WASM; on a WebGPU adapter without shader-f16 (SwiftShader)
 *     the f32 reference runs instead, labelled, for evaluation, generation and both speeds;
 *   - Optimum's merged decoder (If on use_cache_branch, tools/make_merged_decoder_fixture.py) loads,
 *     evaluates as published like onnxruntime-node, is compressed from its with-cache branch and
 *     generates on its cache like the plain tiny Llama;
 *   - a GPT-2 sequence classifier (last non-pad token) classifies like onnxruntime-node;
 *   - the model card says when a model is published compressed and when its head is tied.
 * Numbers are compared with scripts/ppl-node.ts and scripts/classify-node.ts on the same files.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { Capabilities, ClassificationResult, DecodeSpeedResult, EvalResult, EvalSettings, GenerationResult, ModelSummary, PrefillSpeedResult, SpeedResult, VariantSummary } from '../workers/api';
import { ok, type Outcome } from './harness/outcome';
import { nodeRefAsync, type NodePpl } from './helpers/node-ref';
import { onnx } from '../workers/model/onnx-graph';

async function harness(page: Page) {
  await page.goto('/e2e/harness/engine.html');
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 60_000 });
  return <T>(fn: string, ...args: unknown[]) =>
    page.evaluate(([f, a]) => (window as any).harness[f as string](...(a as unknown[])), [fn, args] as const) as Promise<Outcome<T>>;
}

/** scripts/ppl-node.ts on the same file and windows, started now: each test starts its references before the page works and awaits them after. */
const pplNode = (folder: string, tokens: number, graph = 'onnx/model.onnx'): Promise<NodePpl> =>
  nodeRefAsync<NodePpl>('scripts/ppl-node.ts', ['--model', folder, '--onnx', graph, '--tokens', String(tokens), '--context', '256', '--stride', '256']);
const FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];

/** A copy of an int8-dynamic folder whose int8 MatMulInteger weights and zero points are uint8 (+128): the same products. */
function uint8Twin(dir: string): string {
  // a temporary folder: test-results/ is emptied by any other Playwright run that starts meanwhile, and the reference reads this one while the page works
  const out = mkdtempSync(join(tmpdir(), 'int8-dynamic-as-uint8-'));
  mkdirSync(join(out, 'onnx'), { recursive: true });
  for (const f of FILES.slice(0, 3)) copyFileSync(join(dir, f), join(out, f));
  const proto = onnx.ModelProto.decode(readFileSync(join(dir, 'onnx/model.onnx')));
  const weights = new Set(proto.graph!.node!.filter((n) => n.opType === 'MatMulInteger').flatMap((n) => [n.input![1], n.input![3]]));
  for (const t of proto.graph!.initializer!) {
    if (!weights.has(t.name!) || t.dataType !== onnx.TensorProto.DataType.INT8) continue;
    const q = new Int8Array(t.rawData!.buffer, t.rawData!.byteOffset, t.rawData!.length);
    t.rawData = Uint8Array.from(q, (v) => v + 128);
    t.dataType = onnx.TensorProto.DataType.UINT8;
  }
  writeFileSync(join(out, 'onnx/model.onnx'), onnx.ModelProto.encode(proto).finish());
  return out;
}
const WASM: EvalSettings = { backend: 'wasm', tokens: 256, context: 256, stride: 256, throughputRuns: 0 };

test('3-D position_ids and logits_to_keep: scored and written like the plain graph with the same weights', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  const reference = pplNode('e2e/fixtures/tiny-llama-extras', 256);
  const call = await harness(page);
  const extras = ok(await call<ModelSummary>('loadFolder', '/e2e/fixtures/tiny-llama-extras/', FILES));
  expect(extras.graphKind).toBe('kv-cache');
  expect(extras.inputNames).toEqual(expect.arrayContaining(['position_ids', 'logits_to_keep']));
  const plain = ok(await call<ModelSummary>('loadFolder', '/e2e/fixtures/tiny-llama/', FILES));
  const a = ok(await call<EvalResult>('evaluate', extras.id, 'baseline', WASM));
  const b = ok(await call<EvalResult>('evaluate', plain.id, 'baseline', WASM));
  const node = await reference;
  console.log(`tiny llama, 256 tokens: lab WASM ppl with 3-D position_ids + logits_to_keep ${a.perplexity.ppl.toFixed(4)}, plain graph ${b.perplexity.ppl.toFixed(4)}, onnxruntime-node ${node.ppl.toFixed(4)}`);
  expect(a.perplexity.tokensScored).toBe(node.tokensScored);
  expect(Math.abs(a.perplexity.ppl / node.ppl - 1)).toBeLessThan(1e-3);
  expect(Math.abs(a.perplexity.ppl / b.perplexity.ppl - 1)).toBeLessThan(1e-5);
  // the decode steps feed (3, 1, 1) positions on the cache: the same greedy tokens as the plain graph re-run per token
  const g = { backend: 'wasm', prompt: 'The jury said', maxNewTokens: 8 };
  const ga = ok(await call<GenerationResult>('generate', extras.id, 'baseline', g));
  const gb = ok(await call<GenerationResult>('generate', plain.id, 'baseline', g));
  console.log(`greedy 8 tokens: extras (KV cache) [${ga.tokens.join(' ')}], plain [${gb.tokens.join(' ')}]`);
  expect(ga.tokens).toEqual(gb.tokens);
});

test('an int8 dynamic model (MatMulInteger) is evaluated as published and compressed from its float reference', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  // the references (why two: below) run while the page evaluates
  const references = [pplNode(uint8Twin('e2e/fixtures/tiny-llama-int8-dynamic'), 256), pplNode('e2e/fixtures/tiny-llama-int8-dynamic', 256)];
  const call = await harness(page);
  const model = ok(await call<ModelSummary>('loadFolder', '/e2e/fixtures/tiny-llama-int8-dynamic/', FILES));
  expect(model.published?.weights.map((w) => `${w.format} ${w.bits}`)).toEqual(model.linearWeights.map(() => 'MatMulInteger 8'));
  expect(model.linearWeights.length).toBe(15);
  const base = ok(await call<EvalResult>('evaluate', model.id, 'baseline', WASM));
  // onnxruntime-node on x86 without VNNI multiplies uint8 activations by int8 weights with
  // vpmaddubsw, whose int16 pair sums saturate (onnxruntime's quantization docs: use reduce_range or
  // uint8 weights there); WASM computes the exact integer products. The reference therefore runs the
  // same model with every int8 weight and zero point shifted to uint8 (+128): the same arithmetic, exactly.
  const [node, nodeAsIs] = await Promise.all(references);
  console.log(`onnxruntime-node on the int8 weights as published: ppl ${nodeAsIs.ppl.toFixed(4)}; on the uint8 twin ${node.ppl.toFixed(4)}`);
  const v = ok(await call<VariantSummary>('makeVariant', model.id, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu'));
  const int4 = ok(await call<EvalResult>('evaluate', model.id, v.id, WASM));
  const twin = ok(await call<EvalResult>('evaluate', model.id, v.id, { ...WASM, form: 'simulated' }));
  console.log(`tiny llama int8 dynamic, 256 tokens: lab WASM published ppl ${base.perplexity.ppl.toFixed(4)}, onnxruntime-node ${node.ppl.toFixed(4)}; INT4 g32 from the float reference ${int4.perplexity.ppl.toFixed(4)} (f32 twin ${twin.perplexity.ppl.toFixed(4)})`);
  expect(base.form).toBe('packed');
  expect(base.perplexity.tokensScored).toBe(node.tokensScored);
  expect(Math.abs(base.perplexity.ppl / node.ppl - 1)).toBeLessThan(1e-3);
  expect(int4.form).toBe('packed');
  expect(Math.abs(int4.perplexity.ppl / twin.perplexity.ppl - 1)).toBeLessThan(1e-4);
  expect(int4.perplexity.ppl).not.toBe(base.perplexity.ppl);
});

test('an fp16 graph runs as published on WASM; on WebGPU without shader-f16 its f32 reference runs, labelled', async ({ page }) => {
  test.setTimeout(10 * 60_000);
  const reference = pplNode('e2e/fixtures/tiny-llama-fp16', 256);
  const call = await harness(page);
  const model = ok(await call<ModelSummary>('loadFolder', '/e2e/fixtures/tiny-llama-fp16/', ['config.json', 'tokenizer.json', 'onnx/model.onnx']));
  expect(model.published?.compute).toBe('fp16');
  const wasm = ok(await call<EvalResult>('evaluate', model.id, 'baseline', WASM));
  const node = await reference;
  console.log(`tiny llama fp16, 256 tokens: lab WASM ppl ${wasm.perplexity.ppl.toFixed(4)} (${wasm.form}), onnxruntime-node ${node.ppl.toFixed(4)}`);
  expect(wasm.form).toBe('packed');
  expect(Math.abs(wasm.perplexity.ppl / node.ppl - 1)).toBeLessThan(0.005);
  const caps = (await page.evaluate(() => (window as any).harness.capabilities())) as Capabilities;
  test.skip(!caps.webgpu, `no WebGPU here: ${caps.webgpuReason}`);
  // what onnxruntime-web's WebGPU EP itself does with the fp16 graph on this adapter (recorded, not asserted)
  const raw = await page.evaluate(async () => {
    // a URL the page's server answers, not a module the compiler resolves
    const bundle = '/node_modules/onnxruntime-web/dist/ort.webgpu.bundle.min.mjs';
    const ort: any = await import(/* @vite-ignore */ bundle);
    ort.env.logLevel = 'verbose';
    const logs: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => { logs.push(a.join(' ')); log(...a); };
    try {
      const bytes = new Uint8Array(await (await fetch('/e2e/fixtures/tiny-llama-fp16/onnx/model.onnx')).arrayBuffer());
      const s = await ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'], logSeverityLevel: 0, logVerbosityLevel: 1 });
      const ids = new ort.Tensor('int64', BigInt64Array.from([1n, 2n, 3n, 4n]), [1, 4]);
      const feeds: Record<string, unknown> = { input_ids: ids };
      if (s.inputNames.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(4).fill(1n), [1, 4]);
      const out = await s.run(feeds);
      const data = out.logits.data as Uint16Array;
      await s.release();
      const onCpu = logs.filter((l) => /CPUExecutionProvider/.test(l)).length;
      return `session ran: logits ${out.logits.type} [${out.logits.dims}], first half bits ${data[0]}; ${onCpu} log lines name the CPU EP`;
    } catch (e) {
      return `failed: ${String((e as Error).message ?? e).slice(0, 300)}`;
    } finally {
      console.log = log;
    }
  });
  console.log(`fp16 graph straight into onnxruntime-web's WebGPU EP (shader-f16 ${caps.shaderF16}): ${raw}`);
  const small = { ...WASM, tokens: 64, backend: 'webgpu' as const };
  const gpu = ok(await call<EvalResult>('evaluate', model.id, 'baseline', small));
  const cpu = ok(await call<EvalResult>('evaluate', model.id, 'baseline', { ...small, backend: 'wasm' }));
  console.log(`tiny llama fp16, 64 tokens, adapter ${caps.adapter} (shader-f16 ${caps.shaderF16}): WebGPU ppl ${gpu.perplexity.ppl.toFixed(4)} (${gpu.form}${gpu.formReason ? `: ${gpu.formReason}` : ''}), WASM as published ${cpu.perplexity.ppl.toFixed(4)}`);
  if (caps.shaderF16) expect(gpu.form).toBe('packed');
  else {
    expect(gpu.form).toBe('simulated');
    expect(gpu.formReason).toBe('evaluated as f32 reference: this adapter has no shader-f16');
  }
  expect(Math.abs(gpu.perplexity.ppl / cpu.perplexity.ppl - 1)).toBeLessThan(0.005);
  // generation and both speeds take the same fallback, with the same label
  const gen = ok(await call<GenerationResult>('generate', model.id, 'baseline', { backend: 'webgpu', prompt: 'The jury said', maxNewTokens: 4 }));
  const prefill = ok(await call<PrefillSpeedResult>('prefillSpeed', model.id, 'baseline', { backend: 'webgpu', batch: 1, seqLen: 16, runs: 2 }));
  const decode = ok(await call<DecodeSpeedResult>('decodeSpeed', model.id, 'baseline', { backend: 'webgpu', promptTokens: 8, newTokens: 3, runs: 1 }));
  const [speed] = ok(await call<SpeedResult[]>('compareSpeed', model.id, ['baseline'], { backend: 'webgpu', seqLen: 16, runs: 2 }));
  console.log(`fp16 on WebGPU: generate [${gen.tokens.join(' ')}] (${gen.form}), prefill ${prefill.tokensPerS.toFixed(1)} tok/s (${prefill.form ?? 'packed'}), decode ${decode.tokensPerS.toFixed(1)} tok/s (${decode.form ?? 'packed'}), interleaved ${speed.tokensPerS.toFixed(1)} tok/s (${speed.form})`);
  expect(gen.tokens.length).toBe(4);
  for (const r of [gen, prefill, decode, speed]) {
    expect(r.form ?? 'packed').toBe(caps.shaderF16 ? 'packed' : 'simulated');
    if (!caps.shaderF16) expect(r.formReason).toBe('evaluated as f32 reference: this adapter has no shader-f16');
  }
});

test("Optimum's merged decoder (use_cache_branch): evaluated as published like onnxruntime-node, compressed from its with-cache branch, generates on its cache", async ({ page }) => {
  test.setTimeout(5 * 60_000);
  const graph = 'onnx/decoder_model_merged.onnx';
  const reference = pplNode('e2e/fixtures/tiny-llama-merged', 256, graph);
  const call = await harness(page);
  const merged = ok(await call<ModelSummary>('loadFolder', '/e2e/fixtures/tiny-llama-merged/', [...FILES.slice(0, 3), graph]));
  expect(merged.onnxPath).toBe(graph);
  expect(merged.graphKind).toBe('kv-cache');
  expect(merged.mergedDecoder).toMatch(/use_cache_branch/);
  expect(merged.linearWeights.length).toBe(15);
  const plain = ok(await call<ModelSummary>('loadFolder', '/e2e/fixtures/tiny-llama/', FILES));
  const base = ok(await call<EvalResult>('evaluate', merged.id, 'baseline', WASM));
  const node = await reference;
  const v = ok(await call<VariantSummary>('makeVariant', merged.id, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu'));
  const int4 = ok(await call<EvalResult>('evaluate', merged.id, v.id, WASM));
  const twin = ok(await call<EvalResult>('evaluate', merged.id, v.id, { ...WASM, form: 'simulated' }));
  console.log(`tiny llama merged, 256 tokens: lab WASM ppl ${base.perplexity.ppl.toFixed(4)}, onnxruntime-node ${node.ppl.toFixed(4)}; INT4 g32 packed ${int4.perplexity.ppl.toFixed(4)} (f32 twin ${twin.perplexity.ppl.toFixed(4)})`);
  expect(base.perplexity.tokensScored).toBe(node.tokensScored);
  expect(Math.abs(base.perplexity.ppl / node.ppl - 1)).toBeLessThan(1e-3);
  expect(int4.form).toBe('packed');
  expect(Math.abs(int4.perplexity.ppl / twin.perplexity.ppl - 1)).toBeLessThan(1e-4);
  expect(int4.perplexity.ppl).not.toBe(base.perplexity.ppl);
  // greedy on the cache (use_cache_branch true after the prompt) = the plain prefill graph re-run per token
  const g = { backend: 'wasm' as const, prompt: 'The jury said', maxNewTokens: 8 };
  const gm = ok(await call<GenerationResult>('generate', merged.id, 'baseline', g));
  const gp = ok(await call<GenerationResult>('generate', plain.id, 'baseline', g));
  const gv = ok(await call<GenerationResult>('generate', merged.id, v.id, g));
  console.log(`greedy 8 tokens: merged (${gm.decode}) [${gm.tokens.join(' ')}], plain (${gp.decode}) [${gp.tokens.join(' ')}], merged INT4 (${gv.decode}) [${gv.tokens.join(' ')}]`);
  expect(gm.decode).toBe('KV cache, one token per step');
  expect(gv.decode).toBe('KV cache, one token per step');
  expect(gm.tokens).toEqual(gp.tokens);
  expect(gv.tokens.length).toBe(8);
});

test('a GPT-2 sequence classifier (logits of the last non-pad token) classifies like onnxruntime-node', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  const reference = nodeRefAsync<{ accuracy: number }>('scripts/classify-node.ts', ['--model', 'e2e/fixtures/tiny-gpt2-genre'], 240_000);
  const call = await harness(page);
  const model = ok(await call<ModelSummary>('loadFolder', '/e2e/fixtures/tiny-gpt2-genre/', FILES));
  expect(model.task).toBe('sequence-classification');
  expect(model.modelType).toBe('gpt2');
  expect(model.labels).toEqual(['press', 'fiction', 'learned', 'nonfiction']);
  // c_attn, attn.c_proj, c_fc, c_proj per block, and the score head
  expect(model.linearWeights.length).toBe(2 * 4 + 1);
  const base = ok(await call<ClassificationResult>('classify', model.id, 'baseline', { backend: 'wasm', examples: 700 }));
  const node = await reference;
  console.log(`tiny GPT-2 classifier, 700 examples: lab WASM accuracy ${base.accuracy.toFixed(4)} (macro F1 ${base.macroF1.toFixed(4)}), onnxruntime-node ${node.accuracy.toFixed(4)}`);
  expect(base.examples).toBe(700);
  expect(base.accuracy).toBe(node.accuracy);
  const q = ok(await call<ClassificationResult>('classify', model.id, (ok(await call<VariantSummary>('makeVariant', model.id, { method: 'int8-channel', options: {} }, 'cpu'))).id, { backend: 'wasm', examples: 700 }));
  console.log(`tiny GPT-2 classifier INT8 (${q.form}): accuracy ${q.accuracy.toFixed(4)}`);
  expect(Math.abs(q.accuracy - base.accuracy)).toBeLessThan(0.05);
});

test('the model card says when the head is tied and when the model is published compressed', async ({ page }) => {
  test.setTimeout(4 * 60_000);
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto('/');
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  const tied = page.getByTestId('tied-head');
  await expect(tied).toContainText('Head tied to the embedding');
  await expect(tied).toContainText('"transformer.wte.weight"');
  // what a variant compresses by default: neither the head nor the embedding (both opt-in)
  await expect(tied).toContainText('By default a variant compresses neither');
  // the card's weight table marks the LM head (lm-head.ts found it from the graph)
  await expect(page.getByTestId('model-card').getByTestId('lm-head-tag')).toHaveCount(1);
  console.log(`demo LM card: ${await tied.textContent()}`);
  await page.getByTestId('file-input').setInputFiles(FILES.map((f) => `e2e/fixtures/tiny-llama-int8-dynamic/${f}`));
  await expect(page.getByTestId('published-form')).toContainText('15 × int8 dynamic (MatMulInteger)', { timeout: 120_000 });
  await expect(page.getByTestId('published-form')).toContainText('quantized to 8 bits as it runs');
  await expect(page.getByTestId('tied-head')).toHaveCount(0);
});
