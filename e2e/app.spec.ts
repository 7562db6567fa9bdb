/**
 * The lab as a person uses it, in real Chromium with the real engine worker: the demo model
 * loads, a small slice runs (baseline + INT8 + 50 % prune; WASM 1024 tokens, WebGPU 256) and
 * finite numbers stream into the cards, charts and table; a non-ONNX file is refused with a
 * banner while the demo stays loaded; ?nogpu=1 shows the notice and still produces WASM numbers;
 * Cancel stops a long run within about a second.
 * If a number is missing, the job list in the screenshot (test-results/) says which job failed and why.
 */
import { expect, test, type Page } from '@playwright/test';
import { nodeRefAsync, type NodePpl } from './helpers/node-ref';

/** Perplexity of the demo LM on the first `tokens` test tokens by the independent reference
 *  (onnxruntime-node, transformers.js tokenizer, same windows): scripts/ppl-node.ts, started now. */
const nodePerplexity = (model: string, tokens: number): Promise<NodePpl> =>
  nodeRefAsync<NodePpl>('scripts/ppl-node.ts', ['--model', `public/models/${model}`, '--tokens', String(tokens)]);

// WebGPU on a software adapter (SwiftShader) needs minutes per session: the slice test gets 20 min.
const RUN_TIMEOUT = 18 * 60_000;

async function openLab(page: Page, query = '') {
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto(`/${query}`);
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('model-name')).toHaveText(/\S/);
}

async function setChecked(page: Page, testId: string, on: boolean) {
  const box = page.getByTestId(testId);
  if ((await box.isChecked()) !== on) await box.click();
}

/** Picks methods and tokens; `prune` is a list of ratios (empty: no pruning). */
async function configure(page: Page, o: { prune: number[]; int8: boolean; int4?: boolean; wasmTokens: number; webgpuTokens?: number; webgpu: boolean; runs?: number }) {
  await setChecked(page, 'method-prune', o.prune.length > 0);
  for (const r of [0.1, 0.3, 0.5, 0.7, 0.9]) {
    if (o.prune.length > 0) await setChecked(page, `prune-${r}`, o.prune.includes(r));
  }
  await setChecked(page, 'method-int8', o.int8);
  await setChecked(page, 'method-int4', o.int4 ?? false);
  await page.getByTestId('tokens-wasm').fill(String(o.wasmTokens));
  if (o.webgpu) {
    await setChecked(page, 'backend-webgpu', true);
    await page.getByTestId('tokens-webgpu').fill(String(o.webgpuTokens ?? 256));
  } else if (await page.getByTestId('backend-webgpu').isEnabled()) {
    await setChecked(page, 'backend-webgpu', false);
  }
  await setChecked(page, 'backend-wasm', true);
  await page.getByTestId('runs').fill(String(o.runs ?? 1));
}

async function runToEnd(page: Page) {
  await page.getByTestId('run-button').click();
  await waitForEnd(page);
}

async function waitForEnd(page: Page) {
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'false', { timeout: RUN_TIMEOUT });
  const failed = await page.locator('[data-testid=job][data-status=failed]').allInnerTexts();
  expect(failed, `failed jobs:\n${failed.join('\n')}`).toEqual([]);
}

async function finite(page: Page, testId: string, scope = page.locator('body')): Promise<number> {
  // tables render from a deferred copy of the results (a click is never kept waiting by them): the
  // last job's number can land a moment after the run reads finished, so wait for a digit first
  await expect(scope.getByTestId(testId).first()).toHaveText(/\d/, { timeout: 15_000 }).catch(() => undefined);
  const text = (await scope.getByTestId(testId).first().innerText()).trim();
  const v = Number.parseFloat(text.replace(/,/g, ''));
  expect(Number.isFinite(v), `${testId} shows "${text}"`).toBe(true);
  return v;
}

// INT4, not INT8: SwiftShader runs 8-bit MatMulNBits ~50x slower than 4-bit (measurements.md),
// which made this test 11 minutes; and 128 WebGPU tokens (one window), for the same reason
test('demo model: baseline + INT4 + 50 % prune on WebGPU and WASM', async ({ page }, info) => {
  test.setTimeout(RUN_TIMEOUT + 2 * 60_000);
  await openLab(page);
  const gpu = await page.getByTestId('backend-webgpu').isEnabled();
  // the references run while the page does: the model they read is the one the card names
  const name = await page.getByTestId('model-name').innerText();
  const references = { wasm: nodePerplexity(name, 1024), webgpu: nodePerplexity(name, 128) };
  await configure(page, { prune: [0.5], int8: false, int4: true, wasmTokens: 1024, webgpuTokens: 128, webgpu: gpu });
  // the run's interleaved speed comparison at its smallest (one timed run of a few tokens): only its
  // tokens/s being there is checked here, and on SwiftShader its default 3 × 64 WebGPU tokens per model cost more than the evaluation
  await page.getByTestId('speed-runs-wasm').fill('1');
  await page.getByTestId('speed-seqlen-wasm').fill('16');
  if (gpu) {
    await page.getByTestId('speed-runs-webgpu').fill('1');
    await page.getByTestId('speed-seqlen-webgpu').fill('8');
  }
  // Numbers stream: the first baseline appears while later jobs still run.
  await page.getByTestId('run-button').click();
  await expect.poll(() => page.getByTestId('baseline-ppl-wasm').innerText(), { timeout: RUN_TIMEOUT }).toMatch(/^\d/);
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'true');
  await waitForEnd(page);

  const backends = gpu ? ['wasm', 'webgpu'] : ['wasm'];
  for (const b of backends) expect(await finite(page, `baseline-ppl-${b}`)).toBeGreaterThan(1);
  // The browser's baseline equals onnxruntime-node's on the same tokens within 0.1 % (the card
  // shows two decimals, ~0.003 % of a perplexity in the hundreds).
  for (const b of ['wasm', 'webgpu'] as const) {
    if (!backends.includes(b)) continue;
    const browser = await finite(page, `baseline-ppl-${b}`);
    expect(await page.getByTestId('model-name').innerText()).toBe(name);
    const reference = (await references[b]).ppl;
    expect(Math.abs(browser / reference - 1), `${b}: browser ${browser} vs onnxruntime-node ${reference}`).toBeLessThan(0.001);
  }
  const rows = page.getByTestId('result-row');
  await expect(rows).toHaveCount(3);
  for (let i = 0; i < 3; i++) {
    for (const b of backends) {
      expect(await finite(page, `ppl-${b}`, rows.nth(i))).toBeGreaterThan(1);
      expect(await finite(page, `tps-${b}`, rows.nth(i))).toBeGreaterThan(0);
    }
  }
  await expect(page.getByTestId('ppl-chart').locator('.recharts-bar-rectangle').first()).toBeVisible();
  await expect(page.getByTestId('throughput-chart').locator('.recharts-bar-rectangle').first()).toBeVisible();

  const shot = await page.screenshot({ path: 'test-results/dashboard.png', fullPage: true });
  await info.attach('dashboard', { body: shot, contentType: 'image/png' });

  // Finished results survive a reload (IndexedDB).
  await page.reload();
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  expect(await finite(page, 'baseline-ppl-wasm')).toBeGreaterThan(1);
});

test('a non-ONNX file is refused with a banner and the demo stays loaded', async ({ page }) => {
  await openLab(page);
  const name = await page.getByTestId('model-name').innerText();
  await page.getByTestId('file-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a model') });
  const banner = page.getByTestId('error-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText(/onnx/i);
  await expect(page.getByTestId('model-name')).toHaveText(name);
  await expect(page.getByTestId('run-button')).toBeEnabled();

  // The same through the page-wide drop zone.
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['{"not": "a model"}'], 'config.json', { type: 'application/json' }));
    window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, cancelable: true }));
  });
  await expect(page.getByTestId('error-banner')).toHaveCount(2);
  await expect(page.getByTestId('model-name')).toHaveText(name);
});

test('?nogpu=1 shows the notice, disables WebGPU and still measures on WASM', async ({ page }) => {
  await openLab(page, '?nogpu=1');
  await expect(page.getByTestId('webgpu-notice')).toContainText('WebGPU unavailable');
  await expect(page.getByTestId('webgpu-notice')).toContainText('using WASM and CPU reference kernels');
  await expect(page.getByTestId('backend-webgpu')).toBeDisabled();
  await expect(page.getByTestId('device-cpu')).toBeChecked();
  await configure(page, { prune: [], int8: true, wasmTokens: 1024, webgpu: false });
  await runToEnd(page);
  expect(await finite(page, 'baseline-ppl-wasm')).toBeGreaterThan(1);
  expect(await finite(page, 'ppl-wasm', page.getByTestId('result-row').nth(1))).toBeGreaterThan(1);
  await expect(page.getByTestId('baseline-ppl-webgpu')).toHaveText('—');
});

test('cancel stops a long run within about a second', async ({ page }) => {
  await openLab(page);
  await configure(page, { prune: [0.9], int8: true, wasmTokens: 1_000_000, webgpu: false });
  await page.getByTestId('run-button').click();
  const running = page.locator('[data-testid=job][data-status=running]');
  await expect(running).toHaveCount(1);
  await page.waitForTimeout(1500); // let it get going
  const t0 = Date.now();
  await page.getByTestId('cancel-button').click();
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'false', { timeout: 5_000 });
  const stoppedMs = Date.now() - t0;
  expect(stoppedMs, `stopped after ${stoppedMs} ms`).toBeLessThan(1_500);
  await expect(page.locator('[data-testid=job][data-status=cancelled]').first()).toBeVisible();
  await expect(page.locator('[data-testid=job][data-status=queued], [data-testid=job][data-status=running]')).toHaveCount(0);
  // The engine is usable again afterwards (the bridge may have restarted the worker and reloaded the model).
  await expect(page.getByTestId('model-card')).toBeVisible();
  await expect(page.getByTestId('run-button')).toBeEnabled();
});

test('a model folder picked with the file button loads like the demo; a classifier loads as a classifier', async ({ page }) => {
  await openLab(page);
  const dir = 'public/models/brown-gpt2';
  await page.getByTestId('file-input').setInputFiles(
    ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].map((f) => `${dir}/${f}`),
  );
  await expect(page.getByTestId('model-card')).toContainText('files', { timeout: 120_000 });
  await expect(page.getByTestId('model-card')).toContainText('17 tensors');
  await expect(page.getByTestId('run-button')).toBeEnabled();

  // An encoder classifier (input_ids, logits of (batch, labels)) is told apart from an LM and
  // gets the classification report instead of perplexity.
  const cls = 'public/models/brown-bert-genre';
  await page.getByTestId('file-input').setInputFiles(
    ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].map((f) => `${cls}/${f}`),
  );
  await expect(page.getByTestId('classifier-report')).toContainText('700 labelled examples', { timeout: 60_000 });
  await expect(page.getByTestId('model-card')).toContainText('14 tensors');
  await expect(page.getByTestId('run-button')).toBeEnabled();
});
