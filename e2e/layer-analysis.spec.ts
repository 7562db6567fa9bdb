/**
 * Layer analysis on the demo LM, WASM only with few tokens, at 1280×720: the "Layer sensitivity"
 * preset plans INT4 and INT2 for each of its 4 blocks; after the run the sensitivity panel's bars
 * are the results table's perplexities minus the baseline's; "Measure error propagation" measures
 * every variant against the baseline, block after block: a variant that compresses block b leaves
 * everything before block b exactly as it was (divergence 0) and moves every block output from b
 * on; the table under the chart holds the stored numbers; a second measurement stops on Stop. The
 * perplexity chart's axis labels of 9 bars do not collide. Screenshots go to artifacts/layer-analysis/.
 */
import { expect, test, type Page } from '@playwright/test';

const TOKENS = 256;
const SHOTS = process.env.PANEL_SHOTS ?? 'artifacts/layer-analysis';

type Store = { getState: () => Record<string, unknown> };
const state = <T>(page: Page, key: string) =>
  page.evaluate((k) => (window as unknown as { __lab: { store: Store } }).__lab.store.getState()[k], key) as Promise<T>;

interface Ev { variantId: string; perplexity: { ppl: number } }
interface Variant { id: string; label: string; spec: { blocks?: number[]; options: { bits?: number } } }
interface Prop { variantId: string; settings: { backend: string; windows: number; context: number }; points: { label: string; mean: number; max: number }[] }

const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}`;

test('layer sensitivity preset, its panel, error propagation, readable axis labels', async ({ page }) => {
  test.setTimeout(15 * 60_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto('/?nogpu=1');
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });

  await page.getByTestId('preset-select').selectOption('layer-sensitivity');
  await page.getByTestId('preset-apply').click();
  await expect(page.getByTestId('spec-item')).toHaveCount(8);
  await page.getByTestId('tokens-wasm').fill(String(TOKENS));
  await page.getByTestId('runs').fill('1');
  await page.getByTestId('speed-runs-wasm').fill('1');
  const started = Date.now();
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'false', { timeout: 10 * 60_000 });
  console.log(`layer-sensitivity run (8 variants, CPU kernels, WASM ${TOKENS} tokens): ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const failed = await page.locator('[data-testid=job][data-status=failed]').allInnerTexts();
  expect(failed, failed.join('\n')).toEqual([]);
  await expect(page.getByTestId('result-row')).toHaveCount(9);

  // the bars = the table's perplexities minus the baseline's (exact values from the stored results)
  const evals = await state<Ev[]>(page, 'evals');
  const variants = await state<Variant[]>(page, 'variants');
  const pplOf = (id: string) => evals.find((e) => e.variantId === id)!.perplexity.ppl;
  const base = pplOf('baseline');
  const rowPpl = async (label: string) => (await page.locator(`[data-testid=result-row][data-variant^="${label}"]`).getByTestId('ppl-wasm').innerText()).trim();
  expect(await rowPpl('baseline')).toBe(base.toFixed(2));
  const panel = page.getByTestId('panel-sensitivity');
  await expect(panel.getByTestId('panel-empty')).toHaveCount(0);
  await expect(panel.getByTestId('panel-what')).toHaveText(/\w.*\./);
  const labels = panel.getByTestId('sensitivity-label');
  await expect(labels).toHaveCount(8);
  const lines: string[] = [];
  for (const v of variants) {
    const block = v.spec.blocks![0];
    const series = `INT${v.spec.options.bits} g32 asym`;
    expect(await rowPpl(v.label)).toBe(pplOf(v.id).toFixed(2));
    const label = panel.locator(`[data-testid=sensitivity-label][data-series="${series}"][data-index="${block}"]`);
    await expect(label).toHaveText(signed(pplOf(v.id) - base));
    lines.push(`${series} block ${block}: Δ ${signed(pplOf(v.id) - base)}`);
  }
  console.log(`sensitivity (baseline ${base.toFixed(3)}, ${TOKENS} tokens, WASM): ${lines.join('; ')}`);
  await panel.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: `${SHOTS}/sensitivity.png` });

  // error propagation, measured on demand
  const prop = page.getByTestId('panel-propagation');
  await prop.scrollIntoViewIfNeeded();
  await expect(prop.getByTestId('panel-empty')).toBeVisible();
  await prop.getByTestId('propagation-run').click();
  await expect(prop.getByTestId('propagation-progress')).toBeVisible();
  await expect(prop.getByTestId('propagation-row')).toHaveCount(8, { timeout: 5 * 60_000 });
  await expect(prop.getByTestId('propagation-run')).toBeVisible({ timeout: 60_000 });
  const props = await state<Prop[]>(page, 'propagations');
  expect(props).toHaveLength(8);
  for (const r of props) {
    const v = variants.find((x) => x.id === r.variantId)!;
    const b = v.spec.blocks![0];
    expect(r.settings).toMatchObject({ backend: 'wasm', windows: 2, context: 256 });
    expect(r.points.map((p) => p.label)).toEqual(['embeddings', 'block 0', 'block 1', 'block 2', 'block 3']);
    // position k + 1 is block k's output: untouched before block b, moved from block b on
    r.points.forEach((p, pos) => {
      if (pos <= b) expect(p.mean, `${v.label} at ${p.label}`).toBe(0);
      else expect(p.mean, `${v.label} at ${p.label}`).toBeGreaterThan(1e-4);
    });
    const cells = prop.locator(`[data-testid=propagation-row][data-variant="${r.variantId}"] td`);
    await expect(cells).toHaveCount(5);
    for (let k = 0; k < 5; k++) expect(Number(await cells.nth(k).getAttribute('data-mean'))).toBe(r.points[k].mean);
  }
  const int2 = (b: number) => props.find((r) => variants.find((x) => x.id === r.variantId)!.spec.blocks![0] === b && variants.find((x) => x.id === r.variantId)!.spec.options.bits === 2)!;
  console.log(`error propagation, INT2 g32 block 0 (2 × 256 tokens, WASM): ${int2(0).points.map((p) => `${p.label} ${p.mean.toExponential(3)}`).join('; ')}`);
  await expect(prop.locator('svg.recharts-surface .recharts-line')).toHaveCount(8);
  await prop.screenshot({ path: `${SHOTS}/propagation.png` });

  // a longer measurement stops on Stop, keeping the finished numbers
  await prop.getByTestId('propagation-windows').fill('16');
  await prop.getByTestId('propagation-run').click();
  await prop.getByTestId('propagation-cancel').click();
  await expect(prop.getByTestId('propagation-run')).toBeVisible({ timeout: 60_000 });
  await expect(prop.getByTestId('propagation-row')).toHaveCount(8);
  expect((await state<Prop[]>(page, 'propagations')).every((r) => r.settings.windows === 2)).toBe(true);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);

  // the perplexity chart at 1280×720: 9 labelled bars whose labels do not collide
  const chart = page.getByTestId('ppl-chart');
  await chart.scrollIntoViewIfNeeded();
  const mode = await chart.getAttribute('data-tick-mode');
  const boxes = await chart.getByTestId('x-tick').evaluateAll((els) => els.map((e) => {
    const t = e.querySelector('text')!.getBoundingClientRect();
    return { left: t.left, right: t.right, title: e.querySelector('title')?.textContent ?? '' };
  }));
  expect(boxes).toHaveLength(9);
  expect(boxes.map((b) => b.title)).toContain('baseline ·');
  for (let i = 1; i < boxes.length; i++) {
    // angled labels end at their tick: ends 22 px apart keep 12 px lines at 35° from touching
    if (mode === 'angled') expect(boxes[i].right - boxes[i - 1].right, `${mode} labels ${i - 1}, ${i}`).toBeGreaterThanOrEqual(22);
    else expect(boxes[i].left, `${mode} labels ${i - 1}, ${i}`).toBeGreaterThanOrEqual(boxes[i - 1].right);
  }
  console.log(`perplexity chart at 1280×720 with 9 bars: x labels ${mode}`);
  await chart.screenshot({ path: `${SHOTS}/ppl-chart.png` });
});
