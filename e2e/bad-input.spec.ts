/**
 * Bad input (issue 11) through the page's file input, as a user picks files: an ONNX with operators
 * of a custom domain, a model folder without tokenizer.json and an image model (neither an LM nor a
 * classifier); then damaged files (the demo's .onnx truncated or with 2,000 flipped bits, random
 * bytes named .onnx, external data not given, broken config.json / tokenizer.json), bad evaluation
 * texts (empty, binary) and absurd settings (context 0, stride over the context, a group size
 * GatherBlockQuantized cannot tile). Each gets a message naming the problem and a way forward, and
 * the demo stays loaded and still evaluates to the same perplexity. One page for the whole file
 * (serial tests). The graphs are built here with onnx-proto (a few hundred bytes each), so no
 * fixture can go stale.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { expect, test, type Page } from '@playwright/test';

test.describe.configure({ mode: 'serial' });
let page: Page;
test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
});
test.afterAll(() => page.close());

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

/** vocab 4, hidden 2: Gather → [custom ops] → MatMul → logits, the shape of a tiny causal LM; `external`: W lives in model.onnx_data. */
function tinyLm(customOps: string[] = [], external = false): Buffer {
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
      external
        ? { name: 'W', dims: [2, 4], dataType: FLOAT, dataLocation: 1, externalData: [{ key: 'location', value: 'model.onnx_data' }, { key: 'offset', value: '0' }, { key: 'length', value: '32' }] }
        : { name: 'W', dims: [2, 4], dataType: FLOAT, rawData: f32(8) },
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

test('bad models are refused with the reason and the demo stays loaded and runnable', async () => {
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

const DEMO_ONNX = readFileSync(join(DEMO, 'onnx/model.onnx'));

/** `n` bit flips at positions of a fixed LCG (seed 1 hits the graph's structure: the file no longer decodes). */
function flipBits(bytes: Buffer, n: number, seed: number): Buffer {
  const out = Buffer.from(bytes);
  let s = seed;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  for (let i = 0; i < n; i++) out[next() % out.length] ^= 1 << (next() % 8);
  return out;
}

async function setChecked(testId: string, on: boolean) {
  const box = page.getByTestId(testId);
  if ((await box.isChecked()) !== on) await box.click();
}

/** The smallest run: baseline on WASM, 16 tokens, context 8, no variants, one timed run in the speed comparison. */
async function smallestRun() {
  for (const m of ['method-prune', 'method-int8', 'method-int4']) await setChecked(m, false);
  if (await page.getByTestId('backend-webgpu').isEnabled()) await setChecked('backend-webgpu', false);
  await setChecked('backend-wasm', true);
  await page.getByTestId('tokens-wasm').fill('16');
  await page.getByTestId('context').fill('8');
  await page.getByTestId('stride').fill('');
  await page.getByTestId('runs').fill('1');
  await page.getByTestId('speed-runs-wasm').fill('1');
}

/** Runs the current settings to the end: no job failed; returns the baseline perplexity on WASM. */
async function evaluate(): Promise<string> {
  await expect(page.getByTestId('run-button')).toBeEnabled();
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'false', { timeout: 60_000 });
  expect(await page.locator('[data-testid=job][data-status=failed]').allInnerTexts()).toEqual([]);
  return page.getByTestId('baseline-ppl-wasm').innerText();
}

const dismissAll = async () => {
  const banners = page.getByTestId('error-banner');
  while ((await banners.count()) > 0) await banners.first().getByRole('button', { name: 'dismiss' }).click();
};

test('damaged model files, bad evaluation texts and absurd settings: the problem and a way forward, and the demo still evaluates', async () => {
  test.setTimeout(180_000);
  const demo = await page.getByTestId('model-name').innerText();
  await dismissAll();
  await smallestRun();
  const ppl = await evaluate();
  expect(Number(ppl)).toBeGreaterThan(1);
  const stillEvaluates = async (what: string) => {
    await expect(page.getByTestId('model-name'), what).toHaveText(demo);
    expect(await evaluate(), `${what}: the demo's perplexity after it`).toBe(ppl);
  };

  const ms: Record<string, number> = {};
  /** Picks the files; the banner must name the problem (title) and a way forward (detail). */
  const refusedFiles = async (key: string, files: Parameters<Page['setInputFiles']>[1], problem: RegExp, wayForward: RegExp) => {
    await dismissAll();
    ms[key] = await refused(page, demo, files, problem);
    const banner = page.getByTestId('error-banner').filter({ hasText: problem });
    await expect(banner, key).toContainText(`The previous model (${demo}) stays loaded.`);
    await expect(banner.locator('.detail'), key).toContainText(wayForward);
    await stillEvaluates(key);
  };
  const folder = (onnxBytes: Buffer) => [json('config.json'), json('tokenizer.json'), graph('model.onnx', onnxBytes)];
  const redownload = /download or export it again/;
  await refusedFiles('truncated_onnx', folder(DEMO_ONNX.subarray(0, DEMO_ONNX.length >> 1)), /the file did not decode \(index out of range/, redownload);
  await refusedFiles('random_bytes_onnx', [graph('random.onnx', flipBits(Buffer.alloc(4096), 20_000, 7))], /Could not load random\.onnx: expected an ONNX ModelProto/, redownload);
  await refusedFiles('flipped_bits_onnx', folder(flipBits(DEMO_ONNX, 2000, 1)), /expected an ONNX ModelProto, the file did not decode/, redownload);
  const together = /pick or drop them together \(the whole folder\)/;
  await refusedFiles('missing_onnx_data', [json('config.json'), json('tokenizer.json'), graph('model.onnx', tinyLm([], true))],
    /initializer W lives in external file "model\.onnx_data", which was not provided/, together);
  const parse = /a file that does not parse needs downloading again/;
  await refusedFiles('broken_config', [{ ...json('config.json'), buffer: Buffer.from('{"model_type": "gpt2", ') }, json('tokenizer.json'), graph('model.onnx', tinyLm())],
    /config\.json is not valid JSON/, parse);
  await refusedFiles('broken_tokenizer', [json('config.json'), { ...json('tokenizer.json'), buffer: readFileSync(join(DEMO, 'tokenizer.json')).subarray(0, 5000) }, graph('model.onnx', tinyLm())],
    /tokenizer\.json is not valid JSON/, parse);

  // evaluation texts: refused at the picker, the built-in text kept
  const builtIn = await page.getByTestId('eval-text-name').innerText();
  for (const [name, buffer, problem] of [
    ['empty.txt', Buffer.alloc(0), /empty\.txt: the file is empty/],
    ['binary.txt', Buffer.from([0x50, 0x4b, 0x00, 0x03, 0xff, 0xfe, 0x00, 0x80]), /binary\.txt: byte 2 is a NUL: this looks like a binary file/],
  ] as const) {
    await page.getByTestId('eval-text-file').setInputFiles({ name, mimeType: 'text/plain', buffer });
    await expect(page.getByTestId('eval-text-error')).toContainText(problem);
    await expect(page.getByTestId('eval-text-error')).toContainText(`Still evaluating on ${builtIn}; pick a UTF-8 .txt to change it.`);
    await expect(page.getByTestId('eval-text-name')).toHaveText(builtIn);
    await stillEvaluates(name);
  }

  // absurd settings: Run is disabled and says what to change; fixing the setting enables it again
  const blocked = async (testId: string, value: string, problem: string | RegExp) => {
    await page.getByTestId(testId).fill(value);
    await expect(page.getByTestId('run-blocker')).toContainText(problem);
    await expect(page.getByTestId('run-button')).toBeDisabled();
  };
  await blocked('context', '0', 'context 0 is not a usable window: give a whole number from 2 to 256 (the model\'s n_positions), or clear it to use the model\'s 256');
  await blocked('context', '1000', 'context 1000 is not a usable window');
  await page.getByTestId('context').fill('8');
  await blocked('stride', '9', 'stride 9 does not fit the context 8: give a whole number from 1 to 8, or press "stride = context"');
  await page.getByTestId('stride-full').click();
  await expect(page.getByTestId('run-blocker')).toHaveCount(0);
  await stillEvaluates('context 0, stride 9 over context 8');

  // INT4 group 128 with the embedding: rows of 64 are not whole 128-wide blocks, which
  // GatherBlockQuantized needs (elsewhere a last partial group is allowed): the make is refused
  await page.getByTestId('add-method').selectOption('int4-group');
  await page.getByTestId('add-field-groupSize').selectOption({ label: '128' });
  await page.getByTestId('add-embeddings').check();
  await page.getByTestId('add-spec').click();
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'false', { timeout: 60_000 });
  const failed = page.locator('[data-testid=job][data-status=failed]');
  await expect(failed).toHaveCount(1);
  await expect(failed).toContainText(/not a whole number of 128-wide MatMulNBits blocks.*pick a group size that divides 64 \(or FP16\), or leave the embedding out/);
  await expect(page.getByTestId('error-banner').filter({ hasText: /group size that divides 64/ })).toBeVisible();
  await expect(page.getByTestId('baseline-ppl-wasm')).toHaveText(ppl);

  for (const [k, v] of Object.entries(ms)) console.log(`[bad-input] ${k}_ms=${v}`);
});
