/**
 * Speed beyond batch 1 (issue 8), with tiny sizes (WebGPU here is SwiftShader, 15–250x slower than
 * WASM; the page's defaults stay batch 1/4/8/16 × 128, prompt 128 + 64 new tokens, 5 runs):
 * - engine: decodeSpeed writes on the KV cache of the demo's merged decoder and faster per token
 *   than the prefill graph, which runs the whole context per token and says so; session-create
 *   time comes apart from the first run; bad settings are refused naming the range;
 * - page: the Speed action times the baseline and an INT4 variant on WASM and WebGPU, the panel
 *   draws one line per backend × model over the batch sizes and decode bars, the table gives
 *   median / p90 / runs / threads / adapter (a software adapter labelled), figures measured on
 *   other settings are not drawn with them, and everything survives a reload; the memory card
 *   gives the browser's measured memory beside the model's bytes.
 */
import { expect, test, type Page } from '@playwright/test';
import type { Capabilities, DecodeSpeedResult, ModelSummary, PrefillSpeedResult } from '../workers/api';
import { ok, type Outcome } from './harness/outcome';

test('decodeSpeed: KV cache faster per token than the whole context; session create apart; bad settings refused', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  await page.goto('/e2e/harness/engine.html');
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 60_000 });
  const call = <T>(fn: string, ...args: unknown[]) =>
    page.evaluate(([f, a]) => (window as any).harness[f as string](...(a as unknown[])), [fn, args] as const) as Promise<Outcome<T>>;
  const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/decoder_model_merged.onnx'];
  const kvModel = ok(await call<ModelSummary>('loadFolder', '/models/brown-gpt2/', files));
  const plain = ok(await call<ModelSummary>('loadDemo', 'brown-gpt2'));
  const settings = { backend: 'wasm', promptTokens: 128, newTokens: 16, runs: 3, warmup: 1 };
  const kv = ok(await call<DecodeSpeedResult>('decodeSpeed', kvModel.id, 'baseline', settings));
  const full = ok(await call<DecodeSpeedResult>('decodeSpeed', plain.id, 'baseline', settings));
  console.log(`decode WASM (${kv.wasmThreads} threads), prompt 128 + 16: KV cache ${kv.tokensPerS.toFixed(1)} tok/s (median ${kv.medianMs.toFixed(2)} ms, p90 ${kv.p90Ms.toFixed(2)} ms, prompt ${kv.promptMs.toFixed(1)} ms, first run ${kv.firstMs.toFixed(0)} ms, session ${kv.sessionCreateMs.toFixed(0)} ms); whole context ${full.tokensPerS.toFixed(1)} tok/s`);
  expect(kv.decode).toBe('KV cache, one token per step');
  expect(full.decode).toBe('prefill per token (no KV cache)');
  expect(kv.runsTokS).toHaveLength(3);
  expect(kv.tokensPerS).toBeCloseTo(1000 / kv.medianMs, 6);
  expect(kv.p90Ms).toBeGreaterThanOrEqual(kv.medianMs);
  expect(kv.sessionCreateMs).toBeGreaterThan(0);
  expect(kv.sessionReused).toBe(false);
  // one token on the cache against ~140 tokens again: the cache must win clearly
  expect(kv.tokensPerS).toBeGreaterThan(2 * full.tokensPerS);

  const p1 = ok(await call<PrefillSpeedResult>('prefillSpeed', plain.id, 'baseline', { backend: 'wasm', batch: 2, seqLen: 32, runs: 2 }));
  expect(p1.sessionReused).toBe(true); // the decode above opened it
  expect(p1.sessionCreateMs).toBe(full.sessionCreateMs);
  expect(p1.tokensPerS).toBeCloseTo((2 * 32) / (p1.medianMs / 1000), 6);

  const bad = await call('decodeSpeed', plain.id, 'baseline', { ...settings, newTokens: 1 });
  expect(bad.ok).toBe(false);
  expect(!bad.ok && bad.name).toBe('BadOption');
  expect(!bad.ok && bad.message).toContain('newTokens must be an integer in [2, 512]');
  const long = await call('decodeSpeed', plain.id, 'baseline', { ...settings, promptTokens: 256 });
  expect(!long.ok && long.message).toContain('promptTokens must be an integer in [1, 255]');
});

async function setChecked(page: Page, testId: string, on: boolean) {
  const box = page.getByTestId(testId);
  if ((await box.isChecked()) !== on) await box.click();
}

async function speed(page: Page, o: { target: string; webgpu: boolean; batches: string; seq: string }) {
  const panel = page.getByTestId('panel-speed-scaling');
  await panel.getByTestId('speed-target').selectOption(o.target);
  await setChecked(page, 'speed-backend-wasm', true);
  if (o.webgpu) await setChecked(page, 'speed-backend-webgpu', true);
  else if (await page.getByTestId('speed-backend-webgpu').isEnabled()) await setChecked(page, 'speed-backend-webgpu', false);
  await panel.getByTestId('speed-batches').fill(o.batches);
  await panel.getByTestId('speed-seq').fill(o.seq);
  await panel.getByTestId('speed-runs').fill('2');
  await panel.getByTestId('speed-prompt').fill('16');
  await panel.getByTestId('speed-new').fill('4');
  await panel.getByTestId('speed-button').click();
  // done when the button is back and no step is shown (a tiny job may end before a check sees it run)
  await expect(panel.getByTestId('speed-step')).toHaveCount(0, { timeout: 4 * 60_000 });
  await expect(panel.getByTestId('speed-button')).toBeEnabled();
}

test('the Speed panel: batch scaling and decode for the baseline and a variant on both backends, kept after a reload', async ({ page }) => {
  test.setTimeout(10 * 60_000);
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto('/');
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  const caps = (await page.evaluate(() => (window as any).__lab.store.getState().capabilities)) as Capabilities;
  const panel = page.getByTestId('panel-speed-scaling');
  await expect(panel.getByTestId('panel-what')).toContainText('tokens per second');
  await expect(panel.getByTestId('panel-empty')).toBeVisible();
  // the issue's defaults are what the controls start with
  await expect(panel.getByTestId('speed-batches')).toHaveValue('1, 4, 8, 16');
  await expect(panel.getByTestId('speed-seq')).toHaveValue('128');
  await expect(panel.getByTestId('speed-runs')).toHaveValue('5');
  await expect(panel.getByTestId('speed-prompt')).toHaveValue('128');
  await expect(panel.getByTestId('speed-new')).toHaveValue('64');

  // an INT4 variant to time (WASM only, a few tokens)
  await setChecked(page, 'method-prune', false);
  await setChecked(page, 'method-int8', false);
  await setChecked(page, 'method-int4', true);
  if (caps.webgpu) await setChecked(page, 'backend-webgpu', false);
  await setChecked(page, 'backend-wasm', true);
  await page.getByTestId('tokens-wasm').fill('64');
  await page.getByTestId('context').fill('32');
  await page.getByTestId('runs').fill('1');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'false', { timeout: 4 * 60_000 });
  expect(await page.locator('[data-testid=job][data-status=failed]').allInnerTexts()).toEqual([]);

  const t0 = Date.now();
  await speed(page, { target: 'all', webgpu: caps.webgpu, batches: '1, 2', seq: '16' });
  console.log(`speed panel: 2 models × ${caps.webgpu ? 2 : 1} backend(s) × (2 batches + decode) in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const backends = caps.webgpu ? 2 : 1;
  const rows = panel.getByTestId('scaling-row');
  await expect(rows).toHaveCount(2 * backends * 3, { timeout: 4 * 60_000 });
  await expect(panel.locator('[data-kind=decode]')).toHaveCount(2 * backends);
  await expect(panel.locator('[data-legend-item]')).toHaveCount(2 * backends);
  await expect(panel.getByTestId('decode-bars').locator('.recharts-bar-rectangle')).toHaveCount(2 * backends);
  await expect(panel.locator('[data-chart] svg.recharts-surface').first()).toBeVisible();
  await expect(panel.locator('[data-backend=wasm]').first()).toContainText(/WASM, \d+ threads?/);
  if (caps.webgpu) {
    await expect(panel.locator('[data-backend=webgpu]').first()).toContainText(`adapter ${caps.adapter}`);
    if (/swiftshader/i.test(caps.adapter ?? '')) await expect(panel.getByTestId('scaling-software')).toBeVisible();
  }
  // every figure says how it was measured, and its tokens/s is its own median run's
  const figures = (await page.evaluate(() => (window as any).__lab.store.getState().scalings)) as (PrefillSpeedResult & DecodeSpeedResult & { kind: string; variantLabel: string })[];
  for (const f of figures) {
    console.log(`  ${f.variantLabel} ${f.settings.backend} ${f.kind}${f.kind === 'prefill' ? ` batch ${f.settings.batch}` : ` (${f.decode})`}: ${f.tokensPerS.toFixed(1)} tok/s, median ${f.medianMs.toFixed(2)} ms, p90 ${f.p90Ms.toFixed(2)} ms, first ${f.firstMs.toFixed(0)} ms, session ${f.sessionCreateMs?.toFixed(0)} ms${f.sessionReused ? ' (reused)' : ''}`);
    expect(f.settings.runs).toBe(2);
    expect(f.wasmThreads).toBeGreaterThanOrEqual(1);
    if (f.settings.backend === 'webgpu') expect(f.adapter).toBe(caps.adapter);
    expect(f.sessionCreateMs).toBeGreaterThan(0);
    const expected = f.kind === 'prefill' ? (f.settings.batch * f.settings.seqLen * 1000) / f.medianMs : 1000 / f.medianMs;
    expect(f.tokensPerS).toBeCloseTo(expected, 6);
  }
  await panel.screenshot({ path: 'test-results/speed-panel.png' });

  // other settings: a second group, not drawn with the first
  await speed(page, { target: 'baseline', webgpu: false, batches: '1', seq: '8' });
  await expect(panel.getByTestId('scaling-prefill-group').locator('option')).toHaveCount(2);
  await expect(panel.getByTestId('panel-settings')).toContainText('measured on other settings');
  await expect(rows).toHaveCount(2 * backends * 3);
  await panel.getByTestId('scaling-prefill-group').selectOption({ index: 1 });
  await expect(panel.locator('[data-kind=prefill]')).toHaveCount(1);

  // the browser's own memory figure beside the model's bytes
  await page.getByTestId('memory-measure').click();
  const mem = page.getByTestId('memory-browser');
  await expect(mem).toHaveText(/MiB|GiB|not available/, { timeout: 90_000 });
  const isolated = await page.evaluate(() => crossOriginIsolated);
  console.log(`memory: model ${await page.getByTestId('memory-model').innerText()}, browser ${await mem.innerText()} (crossOriginIsolated ${isolated})`);
  if (isolated) await expect(mem).toHaveText(/MiB|GiB/);

  await page.reload();
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('panel-speed-scaling').getByTestId('scaling-row')).toHaveCount(2 * backends * 3);
});
