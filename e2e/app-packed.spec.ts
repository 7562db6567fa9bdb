/**
 * The lab's packed-model UI in real Chromium, WASM only (?nogpu=1 keeps it fast): after a small
 * run (baseline + 50 % prune + INT8, 512 tokens) the results table shows how each variant is
 * stored and its sizes measured from the bytes written; every perplexity says packed or source;
 * the throughput chart and the speed columns come from the run's interleaved compareSpeed job;
 * a row's Export button (data-testid "export-button", scoped by its result-row) downloads a model
 * folder zip holding onnx/model.onnx, also with the network offline: the variant made again on the
 * demo's KV-cache decoder (fetched with the demo), which transformers.js generates with; speed figures persist.
 * If a step fails, the job list in the failure screenshot says which job failed and why.
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { expect, test, type Page } from '@playwright/test';
import type { StoredSpeed, StoredVariant } from '../src/store/types';

async function setChecked(page: Page, testId: string, on: boolean) {
  const box = page.getByTestId(testId);
  if ((await box.isChecked()) !== on) await box.click();
}

const store = <T>(page: Page, pick: string): Promise<T> =>
  page.evaluate((k) => (window as unknown as { __lab: { store: { getState: () => Record<string, unknown> } } }).__lab.store.getState()[k], pick) as Promise<T>;

test('packed sizes from bytes, interleaved speed chart, and a variant exported as a zip', async ({ page, context }) => {
  test.setTimeout(4 * 60_000);
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto('/?nogpu=1');
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await setChecked(page, 'method-prune', true);
  for (const r of [0.1, 0.3, 0.5, 0.7, 0.9]) await setChecked(page, `prune-${r}`, r === 0.5);
  await setChecked(page, 'method-int8', true);
  await setChecked(page, 'method-int4', false);
  await setChecked(page, 'method-fp16', false);
  await setChecked(page, 'backend-wasm', true);
  await page.getByTestId('tokens-wasm').fill('512');
  await page.getByTestId('runs').fill('1');
  // the speed settings are on screen: WASM times the context (placeholder) unless set
  await expect(page.getByTestId('speed-runs-wasm')).toHaveValue('7');
  await page.getByTestId('speed-runs-wasm').fill('5');
  await expect(page.getByTestId('run-button')).toHaveText('Run 6 jobs');

  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'false', { timeout: 180_000 });
  const failed = await page.locator('[data-testid=job][data-status=failed], [data-testid=job][data-status=skipped]').allInnerTexts();
  expect(failed, `jobs not done:\n${failed.join('\n')}`).toEqual([]);
  await expect(page.locator('[data-testid=job][data-status=done]').filter({ hasText: 'speed · WASM · interleaved' })).toHaveCount(1);

  // sizes: from the variants' bytes, packed < f32 for INT8; pruning says it stays dense
  const variants = await store<StoredVariant[]>(page, 'variants');
  const rows = page.getByTestId('result-row');
  await expect(rows).toHaveCount(3);
  const int8 = variants.find((v) => v.spec.method === 'int8-channel')!;
  const prune = variants.find((v) => v.spec.method === 'magnitude-prune')!;
  expect(int8.storage).toBe('packed');
  // the LM head is left f32 by default (opt-in): named, and the panel of per-layer stats says so; each
  // weight INT8 does compress saves about 3 of its 4 bytes (1 byte a weight plus scales)
  expect(int8.leftFloat?.map((t) => t.name)).toEqual(['lm_head.weight']);
  await expect(page.getByTestId('layer-left-float')).toContainText('lm_head.weight');
  const compressed = int8.tensors.reduce((a, t) => a + t.params, 0);
  expect(int8.f32Bytes - int8.packedBytes).toBeGreaterThan(2.5 * compressed);
  const int8Row = rows.filter({ has: page.getByText(int8.format) });
  await expect(int8Row).toHaveCount(1);
  await expect(int8Row.getByTestId('packed-bytes')).toHaveAttribute('title', new RegExp(int8.packedBytes.toLocaleString('en-US')));
  await expect(int8Row.getByTestId('packed-bytes')).toHaveText(/MiB|KiB/);
  await expect(int8Row.getByTestId('gzip-bytes')).toHaveText(/MiB|KiB/);
  await expect(int8Row.getByTestId('f32-bytes')).toHaveText(/MiB/);
  await expect(int8Row.getByTestId('form-wasm')).toHaveText('packed');
  const pruneRow = rows.filter({ has: page.getByTestId('dense-note') });
  await expect(pruneRow).toHaveCount(1);
  await expect(pruneRow.getByTestId('dense-note')).toContainText('not compute');
  await expect(pruneRow.getByTestId('storage')).toHaveAttribute('data-storage', prune.storage);
  await expect(rows.first().getByTestId('form-wasm')).toHaveText('source model');

  // speed: one interleaved comparison of all three models, drawn with its spread
  const speeds = await store<StoredSpeed[]>(page, 'speeds');
  expect(speeds.map((s) => s.variantId).sort()).toEqual(['baseline', int8.id, prune.id].sort());
  for (const s of speeds) {
    expect(s.runsMs).toHaveLength(5);
    expect(s.interleavedWith).toHaveLength(2);
    expect(s.p10Ms).toBeLessThanOrEqual(s.p90Ms);
  }
  const chart = page.getByTestId('throughput-chart');
  await expect(chart).toHaveAttribute('data-source', 'compareSpeed');
  await expect(chart.getByTestId('speed-how')).toContainText('interleaved');
  await expect(chart.locator('.recharts-bar-rectangle').first()).toBeVisible();
  await expect(chart.locator('.recharts-errorBar').first()).toBeAttached();
  const figures = chart.getByTestId('speed-figure');
  await expect(figures).toHaveCount(3);
  await expect(figures.filter({ hasText: 'packed · WASM' })).toHaveCount(1);
  await expect(figures.filter({ hasText: 'dense f32 · WASM' })).toHaveCount(1);
  await expect(figures.first()).toContainText(/WASM, \d+ threads?/);
  await expect(figures.first()).toContainText('interleaved runs');
  const tps = Number.parseFloat(await int8Row.getByTestId('speed-wasm').innerText());
  expect(tps).toBeCloseTo(speeds.find((s) => s.variantId === int8.id)!.tokensPerS, 0);

  await page.screenshot({ path: 'test-results/packed-dashboard.png', fullPage: true });

  // export, offline: the zip holds the INT8 variant made again on the demo's KV-cache decoder
  // (fetched with the demo, so offline too), which transformers.js generate() runs; a fallback to
  // the evaluated prefill graph (int8.packedBytes, cannot generate) fails here
  await context.setOffline(true);
  const download = page.waitForEvent('download');
  await int8Row.getByTestId('export-button').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.zip$/);
  const zip = unzipSync(readFileSync(await file.path()));
  expect(Object.keys(zip)).toContain('onnx/model.onnx');
  expect(Object.keys(zip)).toEqual(expect.arrayContaining(['config.json', 'tokenizer.json', 'MODEL_CARD.md', 'lab-variant.json']));
  const exportJob = page.getByTestId('export-job').first();
  await expect(exportJob).toHaveAttribute('data-status', 'done');
  await expect(exportJob).toContainText('onnx/model.onnx is a KV-cache decoder (made again on onnx/decoder_model_merged.onnx');
  const written = JSON.parse(new TextDecoder().decode(zip['lab-variant.json'])) as { variant: { packedBytes: number }; graph: { kind: string; remade: boolean; generates: boolean; source: string; bytes: number } };
  expect(written.graph).toMatchObject({ kind: 'kv-cache', remade: true, generates: true, source: 'onnx/decoder_model_merged.onnx' });
  expect(zip['onnx/model.onnx'].length).toBe(written.graph.bytes);
  expect(written.variant.packedBytes).toBe(int8.packedBytes); // the evaluated variant, named beside the written graph
  const card = new TextDecoder().decode(zip['MODEL_CARD.md']);
  const int8Ppl = Number.parseFloat(await int8Row.getByTestId('ppl-wasm').innerText());
  expect(card).toContain(int8.format);
  expect(card).toContain(int8Ppl.toFixed(2).slice(0, -1)); // the card shows 3 decimals, the table 2
  await context.setOffline(false);

  // speed figures persist like the other results
  await page.reload();
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('throughput-chart').getByTestId('speed-figure')).toHaveCount(3);
});
