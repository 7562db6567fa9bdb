/**
 * The demo classifier as a person meets it: one click loads it, the model card says what it is,
 * Run (WASM, INT8) fills the classification report — accuracy, macro precision / recall (the stored
 * result's, which its confusion matrix gives again), latency and samples/s per variant with how they
 * were measured, per-label F1 and a confusion matrix — and the report survives a reload.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { nodeRefAsync } from './helpers/node-ref';

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

  // macro P / R shown = the stored result's, and those = the per-label mean recomputed from its confusion matrix
  type Stored = { variantLabel: string; settings: { backend: string }; macroPrecision: number; macroRecall: number; confusion: number[][]; latencyMs: { median: number; p90: number }; samplesPerS: number };
  const stored = (await page.evaluate(() => (window as unknown as { __lab: { store: { getState: () => { classifications: unknown[] } } } }).__lab.store.getState().classifications)) as Stored[];
  for (const c of stored) {
    const row = rows.filter({ hasText: c.variantLabel }).and(page.locator(`[data-backend=${c.settings.backend}]`));
    await expect(row.getByTestId('classifier-macro-precision')).toHaveText(c.macroPrecision.toFixed(3));
    await expect(row.getByTestId('classifier-macro-recall')).toHaveText(c.macroRecall.toFixed(3));
    await expect(row.getByTestId('classifier-latency')).toHaveText(`${c.latencyMs.median.toFixed(1)} / ${c.latencyMs.p90.toFixed(1)}`);
    await expect(row.getByTestId('classifier-samples-per-s')).toHaveText(c.samplesPerS.toFixed(0));
    const k = c.confusion.length;
    const col = (j: number) => c.confusion.reduce((a, r) => a + r[j], 0);
    const truth = (i: number) => c.confusion[i].reduce((a, b) => a + b, 0);
    const p = c.confusion.reduce((a, r, i) => a + (col(i) ? r[i] / col(i) : 0), 0) / k;
    const r = c.confusion.reduce((a, x, i) => a + (truth(i) ? x[i] / truth(i) : 0), 0) / k;
    console.log(`classifier UI: ${c.variantLabel} macro P ${c.macroPrecision.toFixed(4)} (from confusion ${p.toFixed(4)}), macro R ${c.macroRecall.toFixed(4)} (${r.toFixed(4)}), latency median ${c.latencyMs.median.toFixed(1)} ms p90 ${c.latencyMs.p90.toFixed(1)} ms, ${c.samplesPerS.toFixed(0)} samples/s`);
    expect(c.macroPrecision).toBeCloseTo(p, 12);
    expect(c.macroRecall).toBeCloseTo(r, 12);
  }
  await expect(page.getByTestId('classifier-how')).toContainText('median and p90');
  await page.screenshot({ path: 'test-results/classifier-report.png', fullPage: true });

  await page.reload();
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('demo-classifier').click();
  await expect(page.getByTestId('model-name')).toHaveText('brown-bert-genre', { timeout: 120_000 });
  await expect(page.getByTestId('classifier-row')).toHaveCount(2);
});

test('your own labelled .jsonl: bad lines named; accuracy equals onnxruntime-node on the same rows; picked files kept after a reload', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  // onnxruntime-node on the same 40 rows (the built-in set's first 40), running while the page does
  const reference = nodeRefAsync<{ accuracy: number }>('scripts/classify-node.ts', ['--limit', '40'], 120_000);
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  const labels = ['press', 'fiction', 'learned', 'nonfiction'];
  const rows = readFileSync('public/datasets/brown-genre-test.jsonl', 'utf8').split('\n').filter(Boolean).slice(0, 40).map((l) => JSON.parse(l) as { text: string; label: string });
  // labels by name and by index, as people write them
  const mine = rows.map((r, i) => JSON.stringify({ text: r.text, label: i % 2 ? labels.indexOf(r.label) : r.label })).join('\n') + '\n';
  await page.goto('/?nogpu=1');
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('demo-classifier').click();
  await expect(page.getByTestId('model-name')).toHaveText('brown-bert-genre', { timeout: 120_000 });

  const bad = [JSON.stringify({ text: 'fine', label: 'press' }), JSON.stringify({ text: 'x', label: 'poetry' }), 'oops', JSON.stringify({ text: 'y', label: 7 })].join('\n');
  await page.getByTestId('examples-file').setInputFiles({ name: 'bad.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(bad) });
  const error = page.getByTestId('examples-error');
  await expect(error).toContainText('bad.jsonl: line 2: label "poetry" is not one of the model\'s labels');
  await expect(error).toContainText('line 3: not JSON');
  await expect(error).toContainText('line 4: label 7 is not a class index in [0, 3]');
  await expect(error).toContainText('press (0), fiction (1), learned (2), nonfiction (3)');
  await expect(page.getByTestId('examples-name')).toHaveText('brown-genre-test');

  await page.getByTestId('examples-file').setInputFiles({ name: 'mine.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(mine) });
  await expect(page.getByTestId('examples-name')).toHaveText('mine.jsonl');
  await expect(page.getByTestId('examples-error')).toHaveCount(0);
  await expect(page.getByTestId('classifier-report')).toContainText('40 labelled examples (mine.jsonl, yours)');
  await page.getByTestId('eval-text-file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('My own notes, to be kept.\n') });
  await expect(page.getByTestId('eval-text-name')).toHaveText('notes.txt');

  await setChecked(page, 'method-prune', false);
  await setChecked(page, 'method-int4', false);
  await setChecked(page, 'method-int8', false);
  await setChecked(page, 'backend-wasm', true);
  await page.getByTestId('runs').fill('1');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'false', { timeout: 3 * 60_000 });
  expect(await page.locator('[data-testid=job][data-status=failed]').allInnerTexts()).toEqual([]);
  const row = page.getByTestId('classifier-row').filter({ hasText: 'mine.jsonl' });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('classifier-dataset')).toHaveText('mine.jsonl (40)');
  const accuracy = Number.parseFloat(await row.getByTestId('classifier-accuracy').innerText());
  const node = await reference;
  console.log(`classifier on a dropped .jsonl (40 rows, labels by name and index): lab WASM ${accuracy} %, onnxruntime-node ${(node.accuracy * 100).toFixed(1)} %`);
  expect(Math.abs(accuracy - node.accuracy * 100)).toBeLessThan(0.2);

  await page.reload();
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('eval-text-name')).toHaveText('notes.txt');
  await page.getByTestId('demo-classifier').click();
  await expect(page.getByTestId('model-name')).toHaveText('brown-bert-genre', { timeout: 120_000 });
  await expect(page.getByTestId('examples-name')).toHaveText('mine.jsonl');
  await expect(page.getByTestId('classifier-row').filter({ hasText: 'mine.jsonl' })).toHaveCount(1);
  await page.getByTestId('examples-builtin').click();
  await page.getByTestId('eval-text-builtin').click();
  await page.reload();
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('eval-text-name')).not.toHaveText('notes.txt');
  await page.getByTestId('demo-classifier').click();
  await expect(page.getByTestId('examples-name')).toHaveText('brown-genre-test', { timeout: 120_000 });
});
