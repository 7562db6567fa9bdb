/**
 * The evaluation as a person sees it, on the demo LM with tiny settings (WebGPU on SwiftShader is
 * slow): both backends score the same tokens, the chart draws one bar per variant with an interval
 * and a backend-agreement mark, the baseline card states the interval, bits per byte and the BOS
 * handling, the KL table scores INT4 against the base; different token counts are warned about;
 * a picked .txt replaces the built-in text and a binary one is refused.
 */
import { expect, test, type Page } from '@playwright/test';

async function setChecked(page: Page, testId: string, on: boolean) {
  const box = page.getByTestId(testId);
  if ((await box.isChecked()) !== on) await box.click();
}

test('same tokens on both backends: one bar per variant, agreement marks, KL against the base', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto('/');
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  expect(await page.getByTestId('tokens-wasm').inputValue()).toBe(await page.getByTestId('tokens-webgpu').inputValue());
  await expect(page.getByTestId('tokens-differ')).toHaveCount(0);

  await setChecked(page, 'method-prune', false);
  // INT4 g32, not INT8: the WebGPU EP runs 8-bit MatMulNBits ~100x slower than 4-bit on SwiftShader
  await setChecked(page, 'method-int8', false);
  await setChecked(page, 'method-int4', true);
  await setChecked(page, 'backend-webgpu', true);
  await setChecked(page, 'backend-wasm', true);
  await page.getByTestId('tokens-wasm').fill('64');
  await expect(page.getByTestId('tokens-differ')).toBeVisible();
  await page.getByTestId('tokens-webgpu').fill('64');
  await expect(page.getByTestId('tokens-differ')).toHaveCount(0);
  await page.getByTestId('context').fill('32');
  await page.getByTestId('stride-half').click();
  await expect(page.getByTestId('stride')).toHaveValue('16');
  await page.getByTestId('runs').fill('1');

  await page.getByTestId('run-button').click();
  const log = setInterval(async () => console.log((await page.locator('[data-testid=job]').allInnerTexts().catch(() => [])).join(' | ').replace(/\s+/g, ' ')), 20_000);
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'false', { timeout: 5 * 60_000 }).finally(() => clearInterval(log));
  expect(await page.locator('[data-testid=job][data-status=failed]').allInnerTexts()).toEqual([]);

  const details = page.getByTestId('baseline-wasm').getByTestId('ppl-details');
  await expect(details).toContainText('95 % CI');
  await expect(details).toContainText('bits/byte');
  await expect(details).toContainText('BOS');
  const chart = page.getByTestId('ppl-chart');
  await expect(chart.locator('.recharts-bar-rectangle')).toHaveCount(2);
  await expect(chart.getByTestId('agreement-agree')).toHaveCount(2);
  const kl = page.getByTestId('kl-row');
  await expect(kl).toHaveCount(1);
  expect(Number.parseFloat(await kl.getByTestId('kl-mean').innerText())).toBeGreaterThan(0);
  await expect(kl.getByTestId('kl-top1')).toHaveText(/%$/);
  await page.screenshot({ path: 'test-results/eval-ui.png', fullPage: true });
});

test('a picked .txt replaces the built-in text; a binary file is refused with the reason', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  const builtIn = await page.getByTestId('eval-text-name').innerText();
  await page.getByTestId('eval-text-file').setInputFiles({ name: 'weights.bin', mimeType: 'application/octet-stream', buffer: Buffer.from([0x50, 0x4b, 0, 1]) });
  await expect(page.getByTestId('eval-text-error')).toContainText('weights.bin: byte 2 is a NUL: this looks like a binary file');
  await expect(page.getByTestId('eval-text-name')).toHaveText(builtIn);
  await page.getByTestId('eval-text-file').setInputFiles({ name: 'mine.txt', mimeType: 'text/plain', buffer: Buffer.from('Some text of my own, in UTF-8: café.\n') });
  await expect(page.getByTestId('eval-text-name')).toHaveText('mine.txt');
  await expect(page.getByTestId('eval-text-error')).toHaveCount(0);
  await page.getByTestId('eval-text-builtin').click();
  await expect(page.getByTestId('eval-text-name')).toHaveText(builtIn);
});
