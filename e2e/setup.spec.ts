/**
 * The experiment setup, no run needed: the old quick toggles and the generic picker edit one
 * variant list, a preset fills it from the registered methods (and names what it left out), and
 * the setup link opens a new page with the same setup.
 */
import { expect, test } from '@playwright/test';

test('picker, presets and the setup link', async ({ page, context }) => {
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto('/?nogpu=1');
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  const items = page.getByTestId('spec-item');
  // defaults: prune 50 % and INT8, as before the picker was generic
  await expect(items).toHaveText([/prune 50%/, /INT8 per-channel/]);
  await page.locator('fieldset.methods').screenshot({ path: `${process.env.PANEL_SHOTS ?? 'test-results/panels'}/methods.png` });
  await expect(page.getByTestId('method-prune')).toBeChecked();
  await expect(page.getByTestId('prune-0.5')).toBeChecked();
  // unticking the last ratio unticks its method; a ratio ticks it again
  await page.getByTestId('prune-0.5').click();
  await expect(page.getByTestId('method-prune')).not.toBeChecked();
  await page.getByTestId('prune-0.9').click();
  await expect(page.getByTestId('method-prune')).toBeChecked();
  await page.getByTestId('method-int4').click();
  await expect(items).toHaveText([/INT8 per-channel/, /prune 90%/, /INT4 group-32/]);
  await page.getByTestId('method-int8').click();
  await expect(items).toHaveCount(2);

  // the builder: INT4 group-64 after 30 % pruning
  await page.getByTestId('add-method').selectOption('magnitude-prune');
  await page.getByTestId('add-field-ratio').selectOption({ label: '30 %' });
  await page.getByTestId('add-then').selectOption('int4-group');
  await page.getByTestId('then-field-groupSize').selectOption({ label: '64' });
  await page.getByTestId('add-spec').click();
  await expect(items.last()).toHaveText(/prune 30% → INT4 group-64/);
  await items.first().getByTestId('spec-remove').click();
  await expect(items).toHaveText([/INT4 group-32/, /prune 30% → INT4 group-64/]);

  // presets replace the list with what this build can make
  await page.getByTestId('preset-select').selectOption('seed-grid');
  await page.getByTestId('preset-apply').click();
  await expect(items).toHaveCount(9);
  await expect(page.getByTestId('run-button')).toHaveText(/Run \d+ jobs/);
  await page.getByTestId('preset-select').selectOption('pruning-curve');
  await page.getByTestId('preset-apply').click();
  await expect(items).toHaveCount(9);
  await expect(items.nth(1)).toHaveText(/prune 20%/);

  // the setup link opens the same setup in a new page
  await page.getByTestId('tokens-wasm').fill('300');
  await page.getByTestId('context').fill('64');
  await page.getByTestId('share-setup').click();
  const url = await page.getByTestId('share-url').inputValue();
  expect(url).toContain('setup=');
  const expected = await items.allInnerTexts();
  const other = await context.newPage();
  await other.goto(url);
  await expect(other.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await expect(other.getByTestId('spec-item')).toHaveText(expected);
  await expect(other.getByTestId('tokens-wasm')).toHaveValue('300');
  await expect(other.getByTestId('context')).toHaveValue('64');
  await expect(other.getByTestId('backend-wasm')).toBeChecked();
});
