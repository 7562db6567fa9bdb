/**
 * Error propagation in the downloads: after one INT4 variant is evaluated on WASM and "Measure
 * error propagation" has run (1 window), the JSON, the CSV and the HTML report each hold the very
 * numbers the panel's table shows, with the backend, windows, context and tokens they came from.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Download, type Page } from '@playwright/test';
import { setupUrl } from '../src/lib/share';
import { parseCsv } from './helpers/csv';
import { defaultSpec, metaOf } from '../src/lib/specs';
import { DEFAULT_SETTINGS, type RunSettings } from '../src/store/types';

const TOKENS = 128;
const SETTINGS: RunSettings = {
  ...DEFAULT_SETTINGS,
  variants: [defaultSpec(metaOf('int4-group')!)],
  backends: ['wasm'], device: 'cpu', tokens: { wasm: TOKENS, webgpu: TOKENS }, throughputRuns: 1,
  speed: { wasm: { runs: 1 }, webgpu: { seqLen: 64, runs: 1 } },
};

const download = async (page: Page, testId: string) => {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return readFileSync(await (d as Download).path()).toString('utf8');
};

interface Point { label: string; mean: number; max: number }
interface Prop { settings: { backend: string; windows: number; context: number }; dataset: string; tokens: number; rule: string; form: string; points: Point[] }

test('error propagation is in the JSON, the CSV and the report, with how it was measured', async ({ page }) => {
  test.setTimeout(4 * 60_000);
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto(setupUrl(SETTINGS, `${test.info().project.use.baseURL}/?nogpu=1`));
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'false', { timeout: 180_000 });
  await expect(page.getByTestId('result-row')).toHaveCount(2);

  const panel = page.getByTestId('panel-propagation');
  await panel.getByTestId('propagation-windows').fill('1');
  await panel.getByTestId('propagation-run').click();
  await expect(panel.getByTestId('propagation-row')).toHaveCount(1, { timeout: 120_000 });
  await expect(panel.getByTestId('propagation-run')).toBeVisible({ timeout: 60_000 });
  const shown = await panel.locator('[data-testid=propagation-row] td').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-mean'))));
  const heads = await panel.locator('[data-testid=propagation-table] thead th').allInnerTexts();
  expect(shown.length).toBeGreaterThan(2);
  expect(shown.some((v) => v > 0)).toBe(true);

  // JSON: the variant's row carries the result per backend, with its settings
  const json = JSON.parse(await download(page, 'export-json'));
  expect(json.rows.map((r: { label: string }) => r.label)).toEqual(['baseline', expect.stringMatching(/^INT4/)]);
  expect(json.rows[0].propagation).toEqual({});
  const p: Prop = json.rows[1].propagation.wasm;
  expect(p.settings).toEqual({ backend: 'wasm', windows: 1, context: 256 });
  expect(p.tokens).toBe(256);
  expect(p.dataset).toBeTruthy();
  expect(p.rule).toBeTruthy();
  expect(p.points.map((x) => x.mean)).toEqual(shown);
  expect(p.points.map((x) => x.label)).toEqual(heads.slice(1));

  // CSV: the same numbers as columns beside the table's, one line per row
  const lines = parseCsv(await download(page, 'export-csv'));
  expect(lines).toHaveLength(3);
  const col = (name: string) => lines[0].indexOf(name);
  for (const [name, value] of [['propagation windows wasm', '1'], ['propagation context wasm', '256'], ['propagation tokens wasm', '256'], ['propagation dataset wasm', p.dataset]]) {
    expect(col(name), name).toBeGreaterThan(0);
    expect(lines[2][col(name)], name).toBe(value);
    expect(lines[1][col(name)], `baseline ${name}`).toBe('');
  }
  p.points.forEach((x) => expect(Number(lines[2][col(`propagation wasm ${x.label}`)]), x.label).toBe(x.mean));

  // the report: a table of the same numbers under a line saying how they were measured
  const report = await download(page, 'export-report');
  expect(report).toContain('<h2>Error propagation</h2>');
  expect(report).toMatch(/Measured on wasm · [^<]* · 1 window × 256 tokens from the start \(256 tokens\)/);
  const cells = [...report.matchAll(/<table data-propagation>.*?<\/table>/gs)][0][0].match(/<td class="r"[^>]*>([^<]*)<\/td>/g)!.map((td) => Number(/>([^<]*)</.exec(td)![1]));
  expect(cells).toEqual(shown);
  console.log(`error propagation exported (INT4 g32, WASM, 1 × 256 tokens): ${p.points.map((x) => `${x.label} ${x.mean.toExponential(3)}`).join('; ')}`);
});
