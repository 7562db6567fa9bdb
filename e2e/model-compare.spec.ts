/**
 * Two models side by side, as a person does it: run 50 % pruning on the default demo LM (WASM, 128
 * tokens), load the 1.9 M demo LM (brown-gpt2-mini), run the same; the "Two models side by side" panel shows both
 * models' perplexities (= the stored results of each) and each one's change from its own baseline,
 * draws the pair as bars (same settings), and after a reload, with the other model loaded, still
 * shows both with the chosen pair kept. A screenshot goes to $PANEL_SHOTS (default test-results/panels).
 */
import { expect, test, type Page } from '@playwright/test';
import { setupUrl } from '../src/lib/share';
import { DEFAULT_SETTINGS, type RunSettings } from '../src/store/types';

const TOKENS = 128;
const SHOTS = process.env.PANEL_SHOTS ?? 'test-results/panels';
const SETTINGS: RunSettings = {
  ...DEFAULT_SETTINGS,
  variants: [{ method: 'magnitude-prune', options: { ratio: 0.5 } }],
  backends: ['wasm'], device: 'cpu', tokens: { wasm: TOKENS, webgpu: TOKENS }, throughputRuns: 1,
  speed: { wasm: { runs: 1 }, webgpu: { seqLen: 64, runs: 1 } },
};

type Store = { getState: () => Record<string, unknown> };
const state = <T>(page: Page, key: string) =>
  page.evaluate((k) => (window as unknown as { __lab: { store: Store } }).__lab.store.getState()[k], key) as Promise<T>;
interface Ev { modelKey: string; variantId: string; perplexity: { ppl: number; tokensScored: number } }

async function runAndWait(page: Page) {
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'false', { timeout: 180_000 });
  await expect(page.locator('[data-testid=job][data-status=failed]')).toHaveCount(0);
}

test('two models side by side: both models\' results in one panel, kept across a reload', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto(setupUrl(SETTINGS, `${test.info().project.use.baseURL}/?nogpu=1`));
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  const panel = page.getByTestId('panel-model-compare');
  await runAndWait(page);
  await expect(panel.getByTestId('panel-empty')).toBeVisible(); // one model: nothing to set beside it

  await page.getByTestId('demo-lm-small').click();
  await expect(page.getByTestId('model-name')).toHaveText(/mini/, { timeout: 120_000 });
  await runAndWait(page);
  await expect(page.getByTestId('result-row')).toHaveCount(2);

  const evals = await state<Ev[]>(page, 'evals');
  const keys = [...new Set(evals.map((e) => e.modelKey))];
  expect(keys).toHaveLength(2);
  const mini = keys.find((k) => k.includes('mini'))!;
  const first = keys.find((k) => !k.includes('mini'))!;
  const ppl = (model: string, baseline: boolean) => evals.find((e) => e.modelKey === model && (e.variantId === 'baseline') === baseline)!.perplexity.ppl;
  const pct = (d: number) => `${d >= 0 ? '+' : '−'}${Math.abs(d * 100).toFixed(1)} %`;

  async function expectPair(a: string, b: string) {
    await expect(panel.getByTestId('compare-a')).toHaveValue(a);
    await expect(panel.getByTestId('compare-b')).toHaveValue(b);
    const rows = panel.getByTestId('compare-row');
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(0)).toHaveAttribute('data-key', 'baseline');
    await expect(rows.nth(1)).toHaveAttribute('data-comparable', 'true');
    for (const [which, model] of [['a', a], ['b', b]] as const) {
      expect(Number(await rows.nth(0).getByTestId(`compare-ppl-${which}`).getAttribute('data-ppl'))).toBe(ppl(model, true));
      expect(Number(await rows.nth(1).getByTestId(`compare-ppl-${which}`).getAttribute('data-ppl'))).toBe(ppl(model, false));
      await expect(rows.nth(1).getByTestId(`compare-delta-${which}`)).toHaveText(pct(ppl(model, false) / ppl(model, true) - 1));
    }
    await expect(panel.locator('svg.recharts-surface .recharts-bar-rectangle')).toHaveCount(2);
  }
  // defaults: the loaded model (mini) against the other one (the default demo LM)
  await expectPair(mini, first);
  await panel.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: `${SHOTS}/model-compare.png` });
  console.log(`prune 50 %, WASM ${TOKENS} tokens: ${first} ${ppl(first, true).toFixed(2)} → ${ppl(first, false).toFixed(2)} (${pct(ppl(first, false) / ppl(first, true) - 1)}); mini ${ppl(mini, true).toFixed(2)} → ${ppl(mini, false).toFixed(2)} (${pct(ppl(mini, false) / ppl(mini, true) - 1)})`);

  // chosen explicitly, then a reload: the page loads the default demo LM, the pair stays as chosen
  await panel.getByTestId('compare-a').selectOption(mini);
  await page.reload();
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('model-name')).not.toHaveText(/mini/);
  await expectPair(mini, first);
});
