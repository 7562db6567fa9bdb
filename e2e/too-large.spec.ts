/**
 * A model larger than a tab can hold is refused from the files' sizes alone, before a byte is read,
 * with the limit and the model's size, and the demo stays loaded. The big files are sparse (no disk
 * space), and Playwright hands Chromium their paths, so nothing is copied.
 */
import { closeSync, mkdirSync, openSync, writeFileSync, ftruncateSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { onnx } from '../workers/model/onnx-graph';

/** A real .onnx of a few hundred bytes whose weights (3 GiB, `emb` 2.5 GiB of them) sit in model.onnx_data. */
function declaring3GiB(): Uint8Array {
  const GiB = 2 ** 30;
  const ext = (offset: number, length: number) => [{ key: 'location', value: 'model.onnx_data' }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(length) }];
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'declares-3-GiB',
      node: [{ opType: 'Gather', input: ['emb', 'input_ids'], output: ['h'] }, { opType: 'MatMul', input: ['h', 'W'], output: ['logits'] }],
      initializer: [
        { name: 'emb', dims: [2.5 * GiB / 4096, 1024], dataType: 1, dataLocation: 1, externalData: ext(0, 2.5 * GiB) },
        { name: 'W', dims: [1024, GiB / 8192], dataType: 1, dataLocation: 1, externalData: ext(2.5 * GiB, GiB / 2) },
      ],
      input: [{ name: 'input_ids', type: { tensorType: { elemType: 7 } } }],
      output: [{ name: 'logits', type: { tensorType: { elemType: 1 } } }],
    },
  })).finish();
}

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
  // files under wasm32's 4 GiB (3 GiB) with one tensor of 2.5 GiB, which onnxruntime-web's WASM build
  // cannot size: the worker refuses from the declared sizes, naming it, before reading the data file
  // (it is sent as a handle); a model past 2 GiB with smaller tensors loads (e2e/big-model.spec.ts)
  mkdirSync(join(dir, 'declared', 'onnx'), { recursive: true });
  writeFileSync(join(dir, 'declared', 'onnx', 'model.onnx'), declaring3GiB());
  sparse(join(dir, 'declared', 'onnx', 'model.onnx_data'), 3 * 2 ** 30);
  await page.getByTestId('file-input').setInputFiles([join(dir, 'config.json'), join(dir, 'tokenizer.json'), join(dir, 'declared', 'onnx', 'model.onnx'), join(dir, 'declared', 'onnx', 'model.onnx_data')]);
  await expect(page.getByRole('alert').filter({ hasText: "its tensor emb is 2.50 GiB; onnxruntime-web's WASM build refuses a single tensor of 2 GiB or more" })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('alert').filter({ hasText: "whatever the model's total (3.00 GiB): refused before its weights were read" })).toBeVisible();
  console.log(`too large: all three refused in ${Date.now() - started} ms`);
  await expect(page.getByTestId('model-name')).toHaveText('brown-gpt2-tiny');
  await expect(page.getByTestId('run-button')).toBeEnabled();
});
