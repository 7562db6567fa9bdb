/**
 * Bad input (issue 11) through the page's file input, as a user picks files: an ONNX with operators
 * of a custom domain, a model folder without tokenizer.json and an image model (neither an LM nor a
 * classifier). Each gets an alert naming the problem, and the demo stays loaded and runnable. The
 * graphs are built here with onnx-proto (a few hundred bytes each), so no fixture can go stale.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { expect, test, type Page } from '@playwright/test';

const onnx = onnxProto.onnx;
const DEMO = 'public/models/brown-gpt2-tiny';
const FLOAT = 1;
const INT64 = 7;

const f32 = (n: number) => Buffer.from(new Float32Array(n).fill(0.5).buffer);
const io = (name: string, elemType: number, dims: number[]) => ({
  name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
});

function encode(graph: Record<string, unknown>, opset: { domain: string; version: number }[] = [{ domain: '', version: 17 }]): Buffer {
  return Buffer.from(onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: opset, graph })).finish());
}

/** vocab 4, hidden 2: Gather → [custom ops] → MatMul → logits, the shape of a tiny causal LM. */
function tinyLm(customOps: string[] = []): Buffer {
  const custom = customOps.map((op, i) => ({ name: `custom${i}`, opType: op, domain: 'com.example.ops', input: [`h${i}`], output: [`h${i + 1}`] }));
  const last = `h${customOps.length}`;
  return encode({
    name: 'tiny-lm',
    node: [
      { name: 'embed', opType: 'Gather', input: ['emb', 'input_ids'], output: ['h0'] },
      ...custom,
      { name: 'head', opType: 'MatMul', input: [last, 'W'], output: ['logits'] },
    ],
    initializer: [
      { name: 'emb', dims: [4, 2], dataType: FLOAT, rawData: f32(8) },
      { name: 'W', dims: [2, 4], dataType: FLOAT, rawData: f32(8) },
    ],
    input: [io('input_ids', INT64, [1, 3])],
    output: [io('logits', FLOAT, [1, 3, 4])],
  }, customOps.length ? [{ domain: '', version: 17 }, { domain: 'com.example.ops', version: 1 }] : undefined);
}

/** An image model: pixel_values float [1,3,8,8] → Conv(4 filters, 3×3) → output [1,4,6,6]. */
function tinyImageModel(): Buffer {
  return encode({
    name: 'tiny-conv',
    node: [{ name: 'conv', opType: 'Conv', input: ['pixel_values', 'K'], output: ['features'] }],
    initializer: [{ name: 'K', dims: [4, 3, 3, 3], dataType: FLOAT, rawData: f32(4 * 3 * 3 * 3) }],
    input: [io('pixel_values', FLOAT, [1, 3, 8, 8])],
    output: [io('features', FLOAT, [1, 4, 6, 6])],
  });
}

const json = (name: string) => ({ name, mimeType: 'application/json', buffer: readFileSync(join(DEMO, name)) });
const graph = (name: string, buffer: Buffer) => ({ name, mimeType: 'application/octet-stream', buffer });

/** Picks the files, waits for the alert with `text`, then checks the demo is still there and runnable. */
async function refused(page: Page, demo: string, files: Parameters<Page['setInputFiles']>[1], text: string | RegExp): Promise<number> {
  const started = Date.now();
  await page.getByTestId('file-input').setInputFiles(files);
  await expect(page.getByRole('alert').filter({ hasText: text })).toBeVisible({ timeout: 20_000 });
  const ms = Date.now() - started;
  await expect(page.getByTestId('model-name')).toHaveText(demo);
  await expect(page.getByTestId('run-button')).toBeEnabled();
  return ms;
}

test('bad models are refused with the reason and the demo stays loaded and runnable', async ({ page }) => {
  await page.goto('/?nogpu=1');
  await expect(page.getByTestId('model-name')).toHaveText('brown-gpt2-tiny', { timeout: 120_000 });
  await expect(page.getByTestId('run-button')).toBeEnabled();
  const demo = await page.getByTestId('model-name').innerText();
  const ms: Record<string, number> = {};

  // (a) operators of a custom domain: listed by name and count
  ms.custom_ops = await refused(page, demo, [json('config.json'), json('tokenizer.json'), graph('model.onnx', tinyLm(['FancyNorm', 'Rotary', 'FancyNorm']))],
    'uses operators onnxruntime-web has no kernels for: com.example.ops.FancyNorm × 2, com.example.ops.Rotary × 1');

  // (b) a model folder without tokenizer.json: the missing file is named
  ms.missing_tokenizer = await refused(page, demo, [json('config.json'), graph('model.onnx', tinyLm())], 'expected tokenizer.json beside the model');

  // (c) an image model, alone and inside a folder with config and tokenizer: what it is not, and what its inputs are
  ms.image_model = await refused(page, demo, [graph('conv.onnx', tinyImageModel())],
    /conv\.onnx is neither a causal language model nor a sequence classifier.*got inputs \[pixel_values\] and outputs \[features\]/);
  ms.image_model_folder = await refused(page, demo, [json('config.json'), json('tokenizer.json'), graph('model.onnx', tinyImageModel())],
    /model\.onnx is neither a causal language model nor a sequence classifier.*got inputs \[pixel_values\]/);
  await expect(page.getByTestId('error-banner')).toHaveCount(4);
  await page.screenshot({ path: 'test-results/bad-input.png' });

  for (const [k, v] of Object.entries(ms)) console.log(`[bad-input] ${k}_ms=${v}`);
});
