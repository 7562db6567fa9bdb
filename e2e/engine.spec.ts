/**
 * The engine in real Chromium: the worker through comlink, the demo model, perplexity on WASM
 * and WebGPU compared with the independent Node reference (scripts/ppl-node.ts:
 * onnxruntime-node + transformers.js tokenizer) on the same tokens, within 0.1 %.
 * If the ppl differs: run the node script by hand with the same flags; a tokenization
 * difference shows as a different tokensScored/datasetTokens, a windowing difference as a
 * different windows count, an EP difference as a small ppl drift only.
 */
import { execFileSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import { nodeRefAsync, type NodePpl } from './helpers/node-ref';
import type { Outcome } from './harness/outcome';
import type { Capabilities, EvalResult, EvalSettings, ModelSummary, VariantSummary } from '../workers/api';

const MODEL = 'brown-gpt2';
const REL_TOL = 1e-3;

/** scripts/ppl-node.ts on the same tokens, context and stride (started in beforeAll, awaited by compare). */
function nodeReference(tokens: number, context: number, stride: number): Promise<NodePpl> {
  return nodeRefAsync<NodePpl>('scripts/ppl-node.ts', ['--model', `public/models/${MODEL}`, '--tokens', String(tokens), '--context', String(context), '--stride', String(stride)]);
}

async function openHarness(page: Page, query = ''): Promise<void> {
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning' || m.text().startsWith('[vite]')) console.log(`[page ${m.type()}] ${m.text()}`);
  });
  page.on('framenavigated', (f) => f === page.mainFrame() && console.log(`[page] navigated to ${f.url()}`));
  page.on('requestfailed', (r) => console.log(`[page] request failed ${r.url()}`));
  page.on('response', (r) => r.status() >= 400 && console.log(`[page] HTTP ${r.status()} ${r.url()}`));
  await page.goto(`/e2e/harness/engine.html${query}`);
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 60_000 });
}

const rawCall = <T>(page: Page, fn: string, args: unknown[]): Promise<T> =>
  page.evaluate(([f, a]) => (window as any).harness[f as string](...(a as unknown[])), [fn, args] as const) as Promise<T>;

/**
 * Calls window.harness[fn](...args). The Vite dev server may reload the page mid-call (a file
 * in the module graph changed, or it optimized a dependency it had just discovered); then the
 * harness is awaited again, the demo model reloaded in the new worker, and the call retried once.
 */
async function call<T>(page: Page, fn: string, ...args: unknown[]): Promise<T> {
  try {
    return await rawCall<T>(page, fn, args);
  } catch (e) {
    if (!/context was destroyed|navigation/i.test((e as Error).message)) throw e;
    console.log(`[page] reloaded during ${fn}; retrying once`);
    await page.waitForFunction(() => 'harness' in window, null, { timeout: 60_000 });
    if (fn !== 'loadDemo') await rawCall(page, 'loadDemo', [MODEL]);
    return rawCall<T>(page, fn, args);
  }
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(() => {
  execFileSync('node', ['scripts/copy-runtime-assets.mjs'], { stdio: 'inherit' });
});

let page: Page;
let model: ModelSummary;
/** The Node references of the three comparisons below, by `tokens/context/stride`: started with the page, so they run while it loads. */
const SETTINGS: EvalSettings[] = [
  { backend: 'wasm', tokens: 2048, context: 256, stride: 256, throughputRuns: 5 },
  { backend: 'wasm', tokens: 1024, context: 256, stride: 128, throughputRuns: 1 },
  // one window (256 tokens): the WebGPU EP's numbers against the reference; windows across the text are
  // the same code on both backends, checked on WASM above (SwiftShader takes seconds per window of this model)
  { backend: 'webgpu', tokens: 256, context: 256, stride: 256, throughputRuns: 1 },
];
const key = (s: EvalSettings) => `${s.tokens}/${s.context}/${s.stride}`;
const refs = new Map<string, Promise<NodePpl>>();

test.beforeAll(async ({ browser }) => {
  for (const s of SETTINGS) refs.set(key(s), nodeReference(s.tokens, s.context, s.stride));
  page = await browser.newPage();
  await openHarness(page);
  const r = await call<Outcome<ModelSummary>>(page, 'loadDemo', MODEL);
  if (!r.ok) throw new Error(`loadDemo failed: ${r.name}: ${r.message}`);
  model = r.value;
});

test.afterAll(async () => {
  await page?.close();
});

test('capabilities and the demo model summary', async () => {
  const caps = await call<Capabilities>(page, 'capabilities');
  console.log('capabilities', JSON.stringify(caps));
  expect(caps.crossOriginIsolated).toBe(true);
  expect(caps.wasmThreads).toBeGreaterThan(1);
  expect(model).toMatchObject({ id: `demo:${MODEL}`, modelType: 'gpt2', nPositions: 256, vocabSize: 8192, outputNames: ['logits'] });
  expect(model.inputNames).toContain('input_ids');
  expect(model.linearWeights.length).toBeGreaterThan(0);
  expect(model.datasetTokens).toBeGreaterThan(2048);
});

async function compare(settings: EvalSettings): Promise<EvalResult> {
  const r = await call<Outcome<EvalResult>>(page, 'evaluate', model.id, 'baseline', settings);
  const ref = await refs.get(key(settings))!;
  if (!r.ok) throw new Error(`evaluate failed: ${r.name}: ${r.message}`);
  const { perplexity: p, throughput: t } = r.value;
  const rel = Math.abs(p.ppl / ref.ppl - 1);
  console.log(
    `${settings.backend}: ppl ${p.ppl.toFixed(4)} vs node ${ref.ppl.toFixed(4)} (rel ${rel.toExponential(2)}), ` +
      `${p.tokensScored} tokens in ${p.windows} windows, ${p.seconds.toFixed(2)} s; ` +
      `prefill ${t.seqLen} tokens: median ${t.medianMs.toFixed(1)} ms, p90 ${t.p90Ms.toFixed(1)} ms, ${t.tokensPerS.toFixed(0)} tok/s`,
  );
  expect(ref.datasetTokens).toBe(model.datasetTokens);
  expect(p.tokensScored).toBe(ref.tokensScored);
  expect(p.windows).toBe(ref.windows);
  expect(rel).toBeLessThan(REL_TOL);
  expect(t.runs).toBe(settings.throughputRuns);
  expect(t.tokensPerS).toBeGreaterThan(0);
  return r.value;
}

test('wasm baseline ppl matches onnxruntime-node within 0.1 %', async () => {
  await compare(SETTINGS[0]);
});

test('wasm sliding window (stride < context) matches too', async () => {
  await compare(SETTINGS[1]);
});

test('webgpu baseline ppl matches onnxruntime-node within 0.1 %', async () => {
  const caps = await call<Capabilities>(page, 'capabilities');
  expect(caps.webgpu, caps.webgpuReason).toBe(true);
  await compare(SETTINGS[2]);
});

test('a variant made with the WebGPU kernels evaluates on wasm near the baseline (INT8)', async () => {
  const v = await call<Outcome<VariantSummary>>(page, 'makeVariant', model.id, { method: 'int8-channel', options: {} }, 'webgpu');
  if (!v.ok) throw new Error(`makeVariant failed: ${v.name}: ${v.message}`);
  // every linear weight but the LM head (left f32 unless the spec opts in: named in leftFloat)
  expect(v.value.tensors.map((t) => t.name)).toEqual(model.linearWeights.filter((w) => w.name !== model.lmHead).map((w) => w.name));
  expect(v.value.leftFloat?.map((t) => t.name)).toEqual([model.lmHead]);
  // int8 + one f32 scale per channel: ~1 byte instead of 4 per compressed weight; the rest stays f32
  const compressed = v.value.tensors.reduce((a, t) => a + t.params, 0);
  expect(v.value.packedBytes).toBeLessThan(model.onnxBytes - compressed * 2.9);
  const settings: EvalSettings = { backend: 'wasm', tokens: 512, context: 256, stride: 256, throughputRuns: 1 };
  const base = await call<Outcome<EvalResult>>(page, 'evaluate', model.id, 'baseline', settings);
  const q = await call<Outcome<EvalResult>>(page, 'evaluate', model.id, v.value.id, settings);
  if (!base.ok || !q.ok) throw new Error(`evaluate failed: ${JSON.stringify([base, q]).slice(0, 400)}`);
  console.log(`int8 (webgpu kernels, ${v.value.kernelMs.toFixed(0)} ms): ppl ${q.value.perplexity.ppl.toFixed(3)} vs baseline ${base.value.perplexity.ppl.toFixed(3)}, ${v.value.bitsPerWeight.toFixed(3)} bits/weight`);
  expect(Math.abs(q.value.perplexity.ppl / base.value.perplexity.ppl - 1)).toBeLessThan(0.02);
});

test('progress has an ETA; cancel stops between windows with name Cancelled', async () => {
  const r = await call<Outcome<EvalResult>>(page, 'evaluateThenCancel', model.id, { backend: 'wasm', tokens: 8192, context: 256, stride: 256, throughputRuns: 0 });
  expect(r).toMatchObject({ ok: false, name: 'Cancelled' });
  const progress = await page.evaluate(() => (window as any).harness.progress as { phase: string; etaS?: number }[]);
  expect(progress.some((p) => p.phase === 'perplexity' && typeof p.etaS === 'number')).toBe(true);
});

test('bad calls reject with a code that names the problem', async () => {
  const unknown = await call<Outcome<EvalResult>>(page, 'evaluate', 'demo:nope', 'baseline', { backend: 'wasm', tokens: 256, context: 256, stride: 256, throughputRuns: 0 });
  expect(unknown).toMatchObject({ ok: false, name: 'BadOption' });
  const tooLong = await call<Outcome<EvalResult>>(page, 'evaluate', model.id, 'baseline', { backend: 'wasm', tokens: 512, context: 512, stride: 512, throughputRuns: 0 });
  expect(tooLong).toMatchObject({ ok: false, name: 'BadOption' });
  expect((tooLong as { message: string }).message).toMatch(/n_positions/);
  const missing = await call<Outcome<ModelSummary>>(page, 'loadDemo', 'no-such-model');
  expect(missing).toMatchObject({ ok: false, name: 'MissingFile' });
});

test('?nogpu=1 hides WebGPU and webgpu evaluation says WebGpuUnavailable', async ({ browser }) => {
  const p2 = await browser.newPage();
  await openHarness(p2, '?nogpu=1');
  const caps = await call<Capabilities>(p2, 'capabilities');
  expect(caps).toMatchObject({ webgpu: false });
  const loaded = await call<Outcome<ModelSummary>>(p2, 'loadDemo', MODEL);
  expect(loaded.ok).toBe(true);
  const r = await call<Outcome<EvalResult>>(p2, 'evaluate', model.id, 'baseline', { backend: 'webgpu', tokens: 256, context: 256, stride: 256, throughputRuns: 0 });
  expect(r).toMatchObject({ ok: false, name: 'WebGpuUnavailable' });
  await p2.close();
});
