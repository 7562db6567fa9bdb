/**
 * The dashboard as a researcher uses it, WASM only with few tokens: the Seed grid preset runs;
 * a reload mid-queue keeps the finished results and the rest re-runs with one click; after the run
 * every study panel draws (a screenshot of each goes to $PANEL_SHOTS, default
 * test-results/panels, for a person to look at); the CSV export equals the table on screen, also
 * after sorting; one result is deleted; a panel downloads as SVG and PNG; the report is one HTML
 * file with every panel inline; present mode steps through the panels with the arrow keys; and
 * axe-core finds no serious accessibility problem on the page or in present mode.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, test, type Download, type Page } from '@playwright/test';
import { parseCsv } from './helpers/csv';

const TOKENS = 256;
const SHOTS = process.env.PANEL_SHOTS ?? 'test-results/panels';
const PANEL_IDS = ['size-ppl', 'speed-ppl', 'pruning-curve', 'bit-width', 'prune-quant', 'layers'];

async function open(page: Page) {
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto('/?nogpu=1');
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
}

const saved = async (d: Promise<Download>) => readFileSync(await (await d).path());

async function expectCsvEqualsTable(page: Page) {
  const csv = parseCsv((await saved(Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]).then(([d]) => d))).toString('utf8'));
  const [head, ...lines] = csv;
  const rows = page.getByTestId('result-row');
  await expect(rows).toHaveCount(lines.length);
  const col = (name: string) => head.indexOf(name);
  for (let i = 0; i < lines.length; i++) {
    const row = rows.nth(i);
    expect(lines[i][col('variant')]).toBe(await row.getAttribute('data-variant'));
    const shown = (await row.getByTestId('ppl-wasm').innerText()).trim();
    const ppl = lines[i][col('ppl wasm')];
    expect(shown, `row ${i}`).toBe(ppl === '' ? '—' : Number(ppl).toFixed(2));
    expect(lines[i][col('tokens scored wasm')]).toBe(ppl === '' ? '' : String(TOKENS - 1));
  }
  return lines.length;
}

test('seed grid on WASM: reload mid-queue, panels, CSV = table, exports, present mode, axe', async ({ page }) => {
  test.setTimeout(8 * 60_000);
  await open(page);
  await page.getByTestId('preset-select').selectOption('seed-grid');
  await page.getByTestId('preset-apply').click();
  await expect(page.getByTestId('spec-item')).toHaveCount(9);
  await page.getByTestId('tokens-wasm').fill(String(TOKENS));
  await page.getByTestId('runs').fill('1');
  await page.getByTestId('speed-runs-wasm').fill('1');
  await page.getByTestId('run-button').click();

  // reload mid-queue: what finished stays, the rest comes back interrupted and re-runs
  await expect(page.locator('[data-testid=job][data-status=done]')).toHaveCount(3, { timeout: 120_000 });
  await page.reload();
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('interrupted-note')).toBeVisible();
  expect(Number.parseFloat(await page.getByTestId('baseline-ppl-wasm').innerText())).toBeGreaterThan(1);
  await expect(page.getByTestId('rerun-button')).toBeEnabled();
  await page.getByTestId('rerun-button').click();
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'false', { timeout: 300_000 });
  const failed = await page.locator('[data-testid=job][data-status=failed]').allInnerTexts();
  expect(failed, failed.join('\n')).toEqual([]);
  const rows = page.getByTestId('result-row');
  await expect(rows).toHaveCount(10);

  // every panel draws something, and is saved for a person to look at
  for (const id of PANEL_IDS) {
    const panel = page.getByTestId(`panel-${id}`);
    await expect(panel.getByTestId('panel-empty')).toHaveCount(0);
    await expect(panel.getByTestId('panel-what')).toHaveText(/\w.*\./);
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: `${SHOTS}/${id}.png` });
  }
  await expect(page.getByTestId('panel-prune-quant').locator('[data-testid=heat-cell][data-value]:not([data-value=""])')).toHaveCount(10);

  // CSV = the table on screen, also sorted; then after deleting a row
  expect(await expectCsvEqualsTable(page)).toBe(10);
  await page.getByTestId('sort-ppl-wasm').click();
  await page.getByTestId('sort-ppl-wasm').click(); // descending: 90 % pruning first
  await expect(rows.first()).toHaveAttribute('data-variant', /prune 90/);
  await expectCsvEqualsTable(page);
  await page.locator('[data-testid=result-row][data-variant^="INT4"]').getByTestId('delete-result').click();
  await expect(rows).toHaveCount(9);
  expect(await expectCsvEqualsTable(page)).toBe(9);

  // a panel as SVG and PNG; the report as one file with every panel inline and the JSON
  const panel = page.getByTestId('panel-pruning-curve');
  const svg = (await saved(Promise.all([page.waitForEvent('download'), panel.getByTestId('save-svg').click()]).then(([d]) => d))).toString('utf8');
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svg).toContain('Pruning curve');
  const png = await saved(Promise.all([page.waitForEvent('download'), panel.getByTestId('save-png').click()]).then(([d]) => d));
  expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
  const report = (await saved(Promise.all([page.waitForEvent('download'), page.getByTestId('export-report').click()]).then(([d]) => d))).toString('utf8');
  for (const id of PANEL_IDS) expect(report).toContain(`<figure data-panel="${id}">`);
  expect(report).not.toMatch(/<script(?![^>]*application\/json)/); // no code runs in it
  expect(report).not.toMatch(/(src|href)="https?:/); // nothing is fetched
  const json = JSON.parse(/<script type="application\/json" id="results-json">(.*?)<\/script>/s.exec(report)![1]);
  expect(json.rows).toHaveLength(9);

  // accessibility: axe-core on the page
  // evaluated through the debugging protocol: the page's CSP (rightly) refuses an injected <script>
  await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  const axe = () => page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run: (ctx: object, o: object) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } })
      // the whole page, the KL table's scroll box included (focusable, a labelled region)
      .axe.run(document, { resultTypes: ['violations'], runOnly: ['wcag2a', 'wcag2aa'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  expect(await axe()).toEqual([]);

  // present mode: one panel at a time, arrow keys, a plain line per panel
  await page.getByTestId('present-open').click();
  const present = page.getByTestId('present-mode');
  await expect(present).toBeVisible();
  const seen: string[] = [];
  // every registered panel is a slide (panels that stay empty here, e.g. the Speed panel, included)
  const slides = Number((await page.getByTestId('present-count').innerText()).split('/')[1]);
  for (let i = 0; i < slides; i++) {
    seen.push((await present.getAttribute('data-slide'))!);
    await expect(page.getByTestId('present-what')).toContainText('What you are seeing:');
    await page.screenshot({ path: `${SHOTS}/present-${i}.png` });
    await page.keyboard.press('ArrowRight');
  }
  expect(seen[0]).toBe('ppl');
  expect(new Set(seen).size).toBe(slides);
  expect(seen.filter((id) => PANEL_IDS.includes(id))).toEqual(PANEL_IDS);
  await expect(present).toHaveAttribute('data-slide', seen[slides - 1]);
  await page.keyboard.press('ArrowLeft');
  await expect(present).toHaveAttribute('data-slide', seen[slides - 2]);
  expect(await axe()).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(present).toHaveCount(0);
});
