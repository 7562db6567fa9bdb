/**
 * The demo classifier as a person meets it: one click loads it, the model card says what it is,
 * Run (WASM, INT8) fills the classification report — accuracy per variant with how it was
 * measured, per-label F1 and a confusion matrix — and the report survives a reload.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

async function setChecked(page: Page, testId: string, on: boolean) {
  const box = page.getByTestId(testId);
  if ((await box.isChecked()) !== on) await box.click();
}

test('the demo classifier is one click away and Run fills its report', async ({ page }) => {
  test.setTimeout(8 * 60_000);
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto('/?nogpu=1');
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('demo-classifier').click();
  await expect(page.getByTestId('model-name')).toHaveText('brown-bert-genre', { timeout: 120_000 });
  await expect(page.getByTestId('classifier-report')).toContainText('700 labelled examples');

  await setChecked(page, 'method-prune', false);
  await setChecked(page, 'method-int4', false);
  await setChecked(page, 'method-int8', true);
  await setChecked(page, 'backend-wasm', true);
  await page.getByTestId('runs').fill('1');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'false', { timeout: 6 * 60_000 });
  const failed = await page.locator('[data-testid=job][data-status=failed]').allInnerTexts();
  expect(failed, failed.join('\n')).toEqual([]);

  const rows = page.getByTestId('classifier-row');
  await expect(rows).toHaveCount(2);
  const metrics = JSON.parse(readFileSync('public/models/brown-bert-genre/metrics.json', 'utf8'));
  const baseline = rows.filter({ hasText: 'baseline' });
  const accuracy = Number.parseFloat(await baseline.getByTestId('classifier-accuracy').innerText());
  console.log(`classifier UI: baseline accuracy ${accuracy} % (metrics.json ${(metrics.test_accuracy * 100).toFixed(1)} %)`);
  expect(Math.abs(accuracy - metrics.test_accuracy * 100)).toBeLessThan(0.06);
  expect(await baseline.getAttribute('title')).toMatch(/700 examples of brown-genre-test, batch 1, WASM, source model/);
  await expect(page.getByTestId('confusion-matrix')).toContainText('nonfiction');
  await page.screenshot({ path: 'test-results/classifier-report.png', fullPage: true });

  await page.reload();
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('demo-classifier').click();
  await expect(page.getByTestId('model-name')).toHaveText('brown-bert-genre', { timeout: 120_000 });
  await expect(page.getByTestId('classifier-row')).toHaveCount(2);
});
