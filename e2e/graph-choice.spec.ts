/**
 * A folder with several graphs (here the demo's model.onnx and decoder_model_merged.onnx): only the
 * preferred one is read and loaded, the others are offered, and one click loads another instead.
 */
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

test('several graphs in a folder: the preferred one loads, another is one click away', async ({ page }) => {
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto('/?nogpu=1');
  await expect(page.getByTestId('model-name')).toHaveText('brown-gpt2-tiny', { timeout: 120_000 });
  const dir = 'public/models/brown-gpt2-tiny';
  await page.getByTestId('file-input').setInputFiles(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/decoder_model_merged.onnx'].map((f) => join(dir, f)));
  await expect(page.getByTestId('model-card')).toContainText('files', { timeout: 120_000 });
  await expect(page.getByTestId('other-graph')).toHaveAttribute('data-path', 'decoder_model_merged.onnx');
  await page.getByTestId('other-graph').click();
  await expect(page.getByTestId('other-graph')).toHaveAttribute('data-path', 'model.onnx', { timeout: 120_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);
});
