/**
 * AWQ packed in the browser (issue 9), on the default demo LM (brown-gpt2-tiny), WASM:
 * - through the engine worker: AWQ-4 is a MatMulNBits model (1/s folded into the LayerNorms or a
 *   Mul in front, formats/input-scale.ts) whose perplexity equals its f32 twin's within PACKING_BUG
 *   (1e-4; the issue promises 0.5 %, but a bad block scale moves ppl less than that);
 * - from the page: the builder's AWQ runs (8 calibration sequences, its smallest choice), the
 *   variant is stored packed, not "simulated (f32)", and its WASM perplexity sits near the baseline.
 * Few tokens throughout: the method's numbers are held by workers/compression/awq/awq-packed.test.ts.
 */
import { expect, test, type Page } from '@playwright/test';
import type { EvalResult, EvalSettings, ModelSummary, VariantSummary } from '../workers/api';
import type { StoredEval, StoredVariant } from '../src/store/types';
import { ok, type Outcome } from './harness/outcome';
import { PACKING_BUG } from './helpers/packing-bug';

const call = <T>(page: Page, fn: string, ...args: unknown[]): Promise<T> =>
  page.evaluate(([f, a]) => (window as any).harness[f as string](...(a as unknown[])), [fn, args] as const) as Promise<T>;

const store = <T>(page: Page, pick: string): Promise<T> =>
  page.evaluate((k) => (window as unknown as { __lab: { store: { getState: () => Record<string, unknown> } } }).__lab.store.getState()[k], pick) as Promise<T>;

test('AWQ-4 packed equals its f32 twin on WASM (engine worker)', async ({ page }) => {
  test.setTimeout(3 * 60_000);
  page.on('console', (m) => m.type() === 'error' && console.log(`[page error] ${m.text()}`));
  await page.goto('/e2e/harness/engine.html');
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 60_000 });
  const model = ok(await call<Outcome<ModelSummary>>(page, 'loadDemo', 'brown-gpt2-tiny'));
  const v = ok(await call<Outcome<VariantSummary>>(page, 'makeVariant', model.id, { method: 'awq', options: { bits: 4, groupSize: 32, samples: 2 } }, 'cpu'));
  expect(v.label).toBe('AWQ INT4 g32 · calib 2');
  expect(v.storage).toBe('packed');
  expect(v.format).toBe('MatMulNBits 4-bit, block 32');
  const settings: EvalSettings = { backend: 'wasm', tokens: 128, context: 128, stride: 128, throughputRuns: 0 };
  const packed = ok(await call<Outcome<EvalResult>>(page, 'evaluate', model.id, v.id, { ...settings, form: 'packed' }));
  const twin = ok(await call<Outcome<EvalResult>>(page, 'evaluate', model.id, v.id, { ...settings, form: 'simulated' }));
  const rel = packed.perplexity.ppl / twin.perplexity.ppl - 1;
  console.log(`WASM ${v.label}: packed ${packed.perplexity.ppl.toFixed(6)} twin ${twin.perplexity.ppl.toFixed(6)} (relative ${rel.toExponential(2)}), ${v.packedBytes} bytes (f32 ${v.f32Bytes}), ${v.bitsPerWeight.toFixed(3)} bits a weight`);
  expect(packed.form).toBe('packed');
  expect(Math.abs(rel)).toBeLessThan(PACKING_BUG);
});

test('AWQ-4 from the builder runs packed in the page', async ({ page }) => {
  test.setTimeout(3 * 60_000);
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto('/');
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await expect.poll(async () => (await store<{ id: string } | undefined>(page, 'model'))?.id ?? '', { timeout: 120_000 }).toMatch(/tiny/);
  for (const id of ['method-prune', 'method-int8', 'method-int4', 'method-fp16']) {
    const box = page.getByTestId(id);
    if (await box.isChecked()) await box.click();
  }
  while ((await page.getByTestId('spec-remove').count()) > 0) await page.getByTestId('spec-remove').first().click();
  await page.getByTestId('add-method').selectOption('awq');
  await page.getByTestId('add-field-samples').selectOption({ label: '8' });
  await page.getByTestId('add-spec').click();
  await expect(page.getByTestId('spec-item')).toHaveText([/AWQ INT4 g128 · calib 8/]);
  await page.getByTestId('backend-wasm').check();
  if (await page.getByTestId('backend-webgpu').isChecked()) await page.getByTestId('backend-webgpu').click();
  await page.getByTestId('device-cpu').check();
  await page.getByTestId('tokens-wasm').fill('128');
  await page.getByTestId('runs').fill('1');
  await page.getByTestId('speed-runs-wasm').fill('1');
  await page.getByTestId('speed-seqlen-wasm').fill('16');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'false', { timeout: 2 * 60_000 });
  const failed = await page.locator('[data-testid=job][data-status=failed], [data-testid=job][data-status=skipped]').allInnerTexts();
  expect(failed, `jobs not done:\n${failed.join('\n')}`).toEqual([]);
  const awq = (await store<StoredVariant[]>(page, 'variants')).find((v) => v.spec.method === 'awq')!;
  expect(awq.label).toBe('AWQ INT4 g128 · calib 8');
  expect(awq.storage).toBe('packed');
  expect(awq.format).toBe('MatMulNBits 4-bit, block 128');
  const evals = await store<StoredEval[]>(page, 'evals');
  const ppl = (id: string) => evals.find((e) => e.variantId === id && e.settings.backend === 'wasm')!.perplexity.ppl;
  console.log(`page, WASM 128 tokens: baseline ${ppl('baseline').toFixed(2)}, ${awq.label} ${ppl(awq.id).toFixed(2)} (${awq.packedBytes} bytes, make ${(awq.makeMs / 1000).toFixed(1)} s)`);
  expect(ppl(awq.id) / ppl('baseline')).toBeGreaterThan(0.9);
  expect(ppl(awq.id) / ppl('baseline')).toBeLessThan(1.2);
});
