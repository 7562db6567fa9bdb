/**
 * Calibrated methods through the engine in real Chromium: makeVariant runs the calibration first
 * (the capture model on onnxruntime-web's WASM EP, statistics accumulated in WGSL on the webgpu
 * kernel device), reports it as a 'calibrate' phase with an ETA, says which tokens it used, and
 * stops at the next sequence when cancelled; GPTQ's Hessians in WGSL end in a MatMulNBits model.
 * Kept small (2 calibration sequences): a Hessian on SwiftShader is slow.
 */
import { execFileSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import type { Outcome } from './harness/outcome';
import type { EvalResult, ModelSummary, Progress, VariantSummary } from '../workers/api';

test.describe.configure({ mode: 'serial' });

let page: Page;
let model: ModelSummary;

test.beforeAll(async ({ browser }) => {
  execFileSync('node', ['scripts/copy-runtime-assets.mjs'], { stdio: 'inherit' });
  page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && console.log(`[page error] ${m.text()}`));
  await page.goto('/e2e/harness/engine.html');
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 60_000 });
  const r = await page.evaluate(() => (window as any).harness.loadDemo('brown-gpt2')) as Outcome<ModelSummary>;
  if (!r.ok) throw new Error(`loadDemo failed: ${r.name}: ${r.message}`);
  model = r.value;
});

test.afterAll(async () => {
  await page?.close();
});

test('Wanda 2:4 calibrates in the browser (WASM capture, WGSL norms) with progress and an ETA, then evaluates', async () => {
  test.setTimeout(4 * 60_000);
  const device = (await page.evaluate(() => (window as any).harness.capabilities())).webgpu ? 'webgpu' : 'cpu';
  const made = await page.evaluate(
    ([id, dev]) => (window as any).harness.makeVariant(id, { method: 'wanda', options: { pattern: '2:4', samples: 2 } }, dev, 'calibrated-wanda'),
    [model.id, device] as const,
  ) as Outcome<VariantSummary>;
  if (!made.ok) throw new Error(`${made.name}: ${made.message}`);
  const v = made.value;
  console.log(`${v.label} on ${device}: calibration ${JSON.stringify(v.calibration)}, make ${v.makeMs.toFixed(0)} ms, storage ${v.storage}`);
  expect(v.label).toBe('Wanda 2:4 · calib 2');
  expect(v.calibration).toMatchObject({ dataset: model.datasetName, sequences: 2, context: 256 });
  expect(v.calibration!.firstToken + 2 * 256).toBe(model.datasetTokens);
  expect(v.storage).toBe('dense');
  for (const t of v.tensors) expect(t.sparsity).toBeGreaterThanOrEqual(0.5);
  const progress = (await page.evaluate(() => (window as any).harness.progress)) as Progress[];
  const calib = progress.filter((p) => p.jobId === 'calibrated-wanda' && p.phase === 'calibrate');
  // one line after each sequence, with an ETA; before them, what the pass is doing (opening the capture model, accumulating)
  const perSequence = calib.filter((p) => /sequence \d\/2$/.test(p.message ?? ''));
  expect(perSequence.map((p) => p.done)).toEqual([1, 2]);
  expect(perSequence.every((p) => p.total === 2 && p.etaS !== undefined)).toBe(true);
  expect(calib.map((p) => p.message?.replace(/^calibration pass 1\/1: \d+ layer inputs?/, ''))).toEqual([
    ': opening the capture model', ', sequence 1/2: accumulating the statistics', ', sequence 1/2', ', sequence 2/2: accumulating the statistics', ', sequence 2/2',
  ]);
  const evaluated = await page.evaluate(
    ([id, vid]) => (window as any).harness.evaluate(id, vid, { backend: 'wasm', tokens: 512, context: 256, stride: 256, throughputRuns: 0 }),
    [model.id, v.id] as const,
  ) as Outcome<EvalResult>;
  if (!evaluated.ok) throw new Error(`${evaluated.name}: ${evaluated.message}`);
  console.log(`wasm ppl ${evaluated.value.perplexity.ppl.toFixed(2)} (512 tokens)`);
  expect(evaluated.value.perplexity.ppl).toBeGreaterThan(1);
  expect(Number.isFinite(evaluated.value.perplexity.ppl)).toBe(true);
});

test('cancel during calibration stops the variant with name Cancelled', async () => {
  test.setTimeout(2 * 60_000);
  const r = await page.evaluate(async (id) => {
    const h = (window as any).harness;
    const pending = h.makeVariant(id, { method: 'wanda', options: { ratio: 0.3, samples: 32 } }, 'cpu', 'calibrated-cancel');
    while (!h.progress.some((p: Progress) => p.jobId === 'calibrated-cancel' && p.phase === 'calibrate')) await new Promise((res) => setTimeout(res, 20));
    const t0 = performance.now();
    await h.api.cancel('calibrated-cancel');
    const out = await pending;
    const seen = h.progress.filter((p: Progress) => p.jobId === 'calibrated-cancel' && p.phase === 'calibrate').length;
    return { out, ms: performance.now() - t0, seen };
  }, model.id) as { out: Outcome<VariantSummary>; ms: number; seen: number };
  console.log(`cancelled after ${r.seen} calibration sequences of 32, ${r.ms.toFixed(0)} ms after the cancel call`);
  expect(r.out.ok).toBe(false);
  expect(!r.out.ok && r.out.name).toBe('Cancelled');
  expect(r.seen).toBeLessThan(32);
});

test('GPTQ 4-bit accumulates its Hessians in WGSL and packs to MatMulNBits like INT4 groups', async () => {
  test.setTimeout(5 * 60_000);
  const caps = await page.evaluate(() => (window as any).harness.capabilities());
  test.skip(!caps.webgpu, 'needs WebGPU for the WGSL Hessians');
  const made = await page.evaluate(
    (id) => (window as any).harness.makeVariant(id, { method: 'gptq', options: { bits: 4, groupSize: 128, samples: 2 } }, 'webgpu', 'calibrated-gptq'),
    model.id,
  ) as Outcome<VariantSummary>;
  if (!made.ok) throw new Error(`${made.name}: ${made.message}`);
  const v = made.value;
  console.log(`${v.label}: calibration ${JSON.stringify(v.calibration)}, make ${v.makeMs.toFixed(0)} ms, ${v.format}`);
  expect(v.storage).toBe('packed');
  expect(v.format).toBe('MatMulNBits 4-bit, block 128');
  expect(v.calibration).toMatchObject({ sequences: 2, context: 256 });
  for (const t of v.tensors) expect(t.calibrationLoss).toBeGreaterThan(0);
  const evaluated = await page.evaluate(
    ([id, vid]) => (window as any).harness.evaluate(id, vid, { backend: 'wasm', tokens: 512, context: 256, stride: 256, throughputRuns: 0 }),
    [model.id, v.id] as const,
  ) as Outcome<EvalResult>;
  if (!evaluated.ok) throw new Error(`${evaluated.name}: ${evaluated.message}`);
  console.log(`wasm ppl ${evaluated.value.perplexity.ppl.toFixed(2)} (512 tokens, packed)`);
  expect(evaluated.value.form).toBe('packed');
  expect(Number.isFinite(evaluated.value.perplexity.ppl)).toBe(true);
});
