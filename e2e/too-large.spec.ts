/**
 * A model larger than a tab can hold is refused from the files' sizes alone, before a byte is read,
 * with the limit and the model's size, and the demo stays loaded. The big files are sparse (no disk
 * space), and Playwright hands Chromium their paths, so nothing is copied.
 */
import { closeSync, mkdirSync, openSync, writeFileSync, ftruncateSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

function sparse(path: string, bytes: number) {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
}

test('too large for the tab: refused at once, with the limit, the demo stays', async ({ page }) => {
  const dir = join('test-results', 'too-large');
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const f of ['config.json', 'tokenizer.json']) copyFileSync(join('public/models/brown-gpt2', f), join(dir, f));
  writeFileSync(join(dir, 'onnx', 'model.onnx'), 'stand-in header');
  sparse(join(dir, 'onnx', 'model.onnx_data'), 4_831_838_208);
  sparse(join(dir, 'huge.onnx'), 2_362_232_012);

  await page.goto('/?nogpu=1');
  await expect(page.getByTestId('model-name')).toHaveText('brown-gpt2-tiny', { timeout: 120_000 });
  const started = Date.now();
  await page.getByTestId('file-input').setInputFiles([join(dir, 'config.json'), join(dir, 'tokenizer.json'), join(dir, 'onnx', 'model.onnx'), join(dir, 'onnx', 'model.onnx_data')]);
  await expect(page.getByRole('alert').filter({ hasText: 'WebAssembly at most 4 GiB' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('alert').filter({ hasText: '4.83 GB' })).toBeVisible();
  await page.getByTestId('file-input').setInputFiles([join(dir, 'huge.onnx')]);
  await expect(page.getByRole('alert').filter({ hasText: "protobuf's limit" })).toBeVisible({ timeout: 20_000 });
  console.log(`too large: both refused in ${Date.now() - started} ms`);
  await expect(page.getByTestId('model-name')).toHaveText('brown-gpt2-tiny');
  await expect(page.getByTestId('run-button')).toBeEnabled();
});
