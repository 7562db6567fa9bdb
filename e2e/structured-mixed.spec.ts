/**
 * Structured pruning and mixed precision made in the page (issue 9), in real Chromium:
 * - structured 25 % of MLP neurons, picked with its toggle, made with the WebGPU kernel device (the
 *   neuron norms in WGSL) when there is one: its packed model is the rewritten graph (fewer
 *   parameters, fewer bytes), evaluated on WASM and, when WebGPU is there, on WebGPU on a few tokens
 *   (24: SwiftShader is slow); both say they ran the packed model, worse than the baseline. The speed
 *   jobs every run plans are cut to one run of a few tokens (nothing here reads them).
 * - the "Mixed precision" preset: INT4 g32 with the first and last block INT8, beside INT4 and INT8
 *   everywhere (the builder's "but first and last block as INT8" makes the same spec), on WASM: the label names the blocks, the per-tensor stats carry 8 bits for blocks 0
 *   and 3 and about 5 elsewhere, and its perplexity lies between INT4's and INT8's. The builder's
 *   "LM head too" adds INT4 g32 with the head compressed: named so, fewer bits per weight in the
 *   table than INT4 g32 with the head left f32 (the lab's default).
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import type { StoredEval, StoredVariant } from '../src/store/types';

async function setChecked(page: Page, testId: string, on: boolean) {
  const box = page.getByTestId(testId);
  if ((await box.isChecked()) !== on) await box.click();
}

const store = <T>(page: Page, pick: string): Promise<T> =>
  page.evaluate((k) => (window as unknown as { __lab: { store: { getState: () => Record<string, unknown> } } }).__lab.store.getState()[k], pick) as Promise<T>;

async function open(page: Page, query = '') {
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto(`/${query}`);
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
}

async function runToEnd(page: Page, timeout: number) {
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'false', { timeout });
  const failed = await page.locator('[data-testid=job][data-status=failed], [data-testid=job][data-status=skipped]').allInnerTexts();
  expect(failed, `jobs not done:\n${failed.join('\n')}`).toEqual([]);
}

/** The run's speed jobs (always planned) at their smallest: one timed run of a few tokens; nothing here reads them. */
async function quickSpeed(page: Page, gpu: boolean) {
  await page.getByTestId('runs').fill('1');
  await page.getByTestId('speed-runs-wasm').fill('1');
  await page.getByTestId('speed-seqlen-wasm').fill('16');
  if (gpu) {
    await page.getByTestId('speed-runs-webgpu').fill('1');
    await page.getByTestId('speed-seqlen-webgpu').fill('8');
  }
}

/** No variants in the list, then the speed job off-screen: only what the test picks runs. */
async function clearMethods(page: Page) {
  for (const id of ['method-prune', 'method-int8', 'method-int4', 'method-fp16']) await setChecked(page, id, false);
  while ((await page.getByTestId('spec-remove').count()) > 0) await page.getByTestId('spec-remove').first().click();
}

test('structured 25 % of MLP neurons and of attention heads: smaller graphs, evaluated packed on WASM and WebGPU', async ({ page }) => {
  test.setTimeout(9 * 60_000);
  await open(page);
  const gpu = await page.getByTestId('backend-webgpu').isEnabled();
  await clearMethods(page);
  await setChecked(page, 'method-structured-prune', true);
  await expect(page.getByTestId('structured-prune-ratio-0.25')).toBeChecked();
  await expect(page.getByTestId('spec-item')).toHaveText([/structured 25 % MLP neurons/]);
  // attention heads from the builder: the same method, unit 'heads'
  await page.getByTestId('add-method').selectOption('structured-prune');
  await page.getByTestId('add-field-unit').selectOption({ label: 'attention heads' });
  await page.getByTestId('add-spec').click();
  await expect(page.getByTestId('spec-item')).toHaveText([/structured 25 % MLP neurons/, /structured 25 % attention heads/]);
  await setChecked(page, 'backend-wasm', true);
  await page.getByTestId('tokens-wasm').fill('256');
  if (gpu) {
    await setChecked(page, 'backend-webgpu', true);
    // the small default demo LM runs on SwiftShader fast enough for 128 tokens, enough that pruning's cost
    // shows above the noise of so few tokens (on 24 the pruned model once scored below the baseline)
    await page.getByTestId('tokens-webgpu').fill('128');
    await page.getByTestId('device-webgpu').check();
  }
  await quickSpeed(page, gpu);
  await runToEnd(page, 8 * 60_000);

  const variants = await store<StoredVariant[]>(page, 'variants');
  expect(variants).toHaveLength(2);
  const v = variants.find((x) => !x.spec.options.unit)!;
  console.log(`${v.label} (kernels on ${v.device}): ${v.totalParams} parameters, packed ${v.packedBytes} B vs f32 ${v.f32Bytes} B, ${v.bitsPerWeight.toFixed(2)} bits/weight, ${v.format}`);
  expect(v.label).toBe('structured 25 % MLP neurons');
  expect(v.device).toBe(gpu ? 'webgpu' : 'cpu');
  // each block's MLP has 4·E neurons; 25 % of them go, each with E up weights, 1 bias and E down weights
  const model = await store<{ totalParams: number; name: string }>(page, 'model');
  const config = JSON.parse(readFileSync(`public/models/${model.name}/config.json`, 'utf8'));
  const removed = config.n_layer * config.n_embd * (2 * config.n_embd + 1);
  expect(v.totalParams).toBe(model.totalParams - removed);
  expect(v.f32Bytes - v.packedBytes).toBeGreaterThan(removed * 4 * 0.99);
  const mlp = v.tensors.filter((t) => /c_fc|mlp.*c_proj|\.h\.\d\.c_proj/.test(t.name));
  expect(mlp.length).toBe(8);
  for (const t of mlp) expect(t.bitsPerWeight).toBeCloseTo(24, 5);
  const evals = (await store<StoredEval[]>(page, 'evals')).filter((e) => e.variantId === v.id);
  const base = (await store<StoredEval[]>(page, 'evals')).filter((e) => e.variantId === 'baseline');
  for (const e of evals) {
    console.log(`${e.settings.backend}: ppl ${e.perplexity.ppl.toFixed(3)} on ${e.perplexity.tokensScored} tokens, form ${e.form}; baseline ${base.find((b) => b.settings.backend === e.settings.backend)?.perplexity.ppl.toFixed(3)}`);
    expect(e.form).toBe('packed');
    expect(e.perplexity.ppl).toBeGreaterThan(base.find((b) => b.settings.backend === e.settings.backend)!.perplexity.ppl);
  }
  expect(evals.map((e) => e.settings.backend).sort()).toEqual(gpu ? ['wasm', 'webgpu'] : ['wasm']);
  const row = page.getByTestId('result-row').filter({ hasText: 'structured 25 % MLP neurons' });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('form-wasm')).toHaveText('packed');

  // heads: each block loses round(n_head / 4) heads, each with its Q/K/V columns and biases (3·hd·(E + 1)) and its O rows (hd·E)
  const h = variants.find((x) => x.spec.options.unit === 'heads')!;
  console.log(`${h.label} (kernels on ${h.device}): ${h.totalParams} parameters, packed ${h.packedBytes} B vs f32 ${h.f32Bytes} B, ${h.format}`);
  const hd = config.n_embd / config.n_head;
  const gone = Math.round(config.n_head / 4);
  const removedHeads = config.n_layer * gone * (3 * hd * (config.n_embd + 1) + hd * config.n_embd);
  expect(h.totalParams).toBe(model.totalParams - removedHeads);
  expect(h.f32Bytes - h.packedBytes).toBeGreaterThan(removedHeads * 4 * 0.99);
  expect(h.format).toBe(`f32, graph rewritten: attention heads kept ${config.n_head - gone}/${config.n_head} in each of ${config.n_layer} blocks`);
  const headEvals = (await store<StoredEval[]>(page, 'evals')).filter((e) => e.variantId === h.id);
  for (const e of headEvals) {
    console.log(`${e.settings.backend}: heads ppl ${e.perplexity.ppl.toFixed(3)} on ${e.perplexity.tokensScored} tokens, form ${e.form}`);
    expect(e.form).toBe('packed');
    expect(e.perplexity.ppl).toBeGreaterThan(base.find((b) => b.settings.backend === e.settings.backend)!.perplexity.ppl);
  }
  expect(headEvals.map((e) => e.settings.backend).sort()).toEqual(gpu ? ['wasm', 'webgpu'] : ['wasm']);
});

test('mixed precision preset: first/last block INT8, the rest INT4, between INT4 and INT8 everywhere', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  await open(page, '?nogpu=1');
  await clearMethods(page);
  await page.getByTestId('preset-select').selectOption('mixed-precision');
  await page.getByTestId('preset-apply').click();
  await expect(page.getByTestId('spec-item')).toHaveText([/^INT4 group-32×?$/, /^INT8 per-channel×?$/, /^INT4 group-32, blocks 0 and last INT8 per-channel×?$/]);
  // the builder makes the same spec: "INT4 group-32, but first and last block as INT8" adds nothing new
  await page.getByTestId('add-method').selectOption('int4-group');
  await page.getByTestId('add-override-blocks').selectOption({ label: 'first and last block' });
  await expect(page.getByTestId('add-override-method')).toHaveValue('int8-channel');
  await expect(page.getByTestId('add-spec')).toBeEnabled();
  await page.getByTestId('add-spec').click();
  await expect(page.getByTestId('spec-item')).toHaveCount(3);
  // "LM head too": INT4 g32 with the head compressed as well, beside INT4 g32 with the head left f32
  await page.getByTestId('add-override-blocks').selectOption({ label: 'no blocks' });
  await page.getByTestId('add-head').check();
  await page.getByTestId('add-spec').click();
  await expect(page.getByTestId('spec-item')).toHaveCount(4);
  await expect(page.getByTestId('spec-item').last()).toHaveText(/^INT4 group-32 · LM head too×?$/);
  // any block, not only the presets: "blocks I tick" lists the loaded model's blocks; the middle block 1 alone as INT8
  await page.getByTestId('add-head').uncheck();
  await page.getByTestId('add-override-blocks').selectOption({ label: 'blocks I tick' });
  await expect(page.getByTestId('add-override-block-list').getByRole('checkbox')).toHaveCount(4);
  await expect(page.getByTestId('add-spec')).toBeDisabled();
  await page.getByTestId('add-override-block-1').check();
  await page.getByTestId('add-spec').click();
  await expect(page.getByTestId('spec-item')).toHaveCount(5);
  await expect(page.getByTestId('spec-item').last()).toHaveText(/^INT4 group-32, block 1 INT8 per-channel×?$/);
  await setChecked(page, 'backend-wasm', true);
  await page.getByTestId('tokens-wasm').fill('1024');
  await quickSpeed(page, false);
  await runToEnd(page, 5 * 60_000);

  const variants = await store<StoredVariant[]>(page, 'variants');
  const mixed = variants.find((v) => v.spec.overrides?.[0].blocks?.length === 2)!;
  const middle = variants.find((v) => v.spec.overrides?.[0].blocks?.length === 1)!;
  const int4 = variants.find((v) => v.spec.method === 'int4-group' && !v.spec.overrides && !v.spec.head)!;
  const withHead = variants.find((v) => v.spec.head)!;
  const int8 = variants.find((v) => v.spec.method === 'int8-channel')!;
  expect(mixed.label).toBe('INT4 g32, blocks 0 and 3 INT8 per-channel');
  for (const t of mixed.tensors) {
    const block = /\.h\.(\d+)\./.exec(t.name)?.[1];
    const want = block === '0' || block === '3' ? int8 : int4;
    expect(t.bitsPerWeight, t.name).toBe(want.tensors.find((x) => x.name === t.name)!.bitsPerWeight);
  }
  expect(mixed.tensors.filter((t) => t.bitsPerWeight > 8)).toHaveLength(8);
  // the ticked block: its four weights at INT8's bits, every other at INT4's
  expect(middle.label).toBe('INT4 g32, block 1 INT8 per-channel');
  for (const t of middle.tensors) {
    const want = /\.h\.1\./.test(t.name) ? int8 : int4;
    expect(t.bitsPerWeight, t.name).toBe(want.tensors.find((x) => x.name === t.name)!.bitsPerWeight);
  }
  expect(middle.tensors.filter((t) => /\.h\.1\./.test(t.name)).map((t) => t.bitsPerWeight > 8)).toEqual([true, true, true, true]);
  // INT8 per channel is written as int8 + DequantizeLinear (formats/form-of.ts, docs/int8-form.md)
  expect(mixed.format).toMatch(/MatMulNBits 4-bit.*int8 \+ DequantizeLinear|int8 \+ DequantizeLinear.*MatMulNBits 4-bit/);
  const evals = await store<StoredEval[]>(page, 'evals');
  const ppl = (v: StoredVariant) => evals.find((e) => e.variantId === v.id && e.settings.backend === 'wasm')!.perplexity.ppl;
  console.log(`WASM 1,024 tokens: INT4 g32 ${ppl(int4).toFixed(3)} (${int4.bitsPerWeight.toFixed(3)} bits), mixed ${ppl(mixed).toFixed(3)} (${mixed.bitsPerWeight.toFixed(3)} bits), INT8 ${ppl(int8).toFixed(3)} (${int8.bitsPerWeight.toFixed(3)} bits)`);
  expect(ppl(mixed)).toBeLessThan(ppl(int4));
  expect(ppl(mixed)).toBeGreaterThan(ppl(int8));
  await expect(page.getByTestId('result-row').filter({ hasText: 'blocks 0 and 3' })).toHaveCount(1);
  // the head variant: named so, its LM head (the one tensor the two variants treat differently) at INT4's bits, not 32
  expect(withHead.label).toBe('INT4 g32 · LM head too');
  const head = (v: StoredVariant) => v.tensors.find((t) => /lm_head/.test(t.name))?.bitsPerWeight ?? 32;
  expect(head(int4)).toBe(32);
  expect(head(withHead)).toBeLessThan(8);
  expect(withHead.bitsPerWeight).toBeLessThan(int4.bitsPerWeight);
  // the table's row label adds the kernel device, e.g. "INT4 g32 (cpu)"; bits/weight is its third cell
  const bitsCell = (label: string) => page.locator(`[data-testid=result-row]:is([data-variant="${label}"], [data-variant^="${label} ("]) td`).nth(2).innerText({ timeout: 15_000 });
  console.log(`bits/weight: INT4 g32 ${await bitsCell(int4.label)}, ${withHead.label} ${await bitsCell(withHead.label)}; WASM ppl ${ppl(withHead).toFixed(3)}`);
  expect(await bitsCell(withHead.label)).not.toBe(await bitsCell(int4.label));
  // what the head variant adds to this test: its make and its evaluation
  const jobs = await store<{ spec?: { head?: boolean }; variantKey: string; kind: string; startedAt?: number; endedAt?: number }[]>(page, 'jobs');
  const key = jobs.find((j) => j.spec?.head)?.variantKey;
  console.log(`LM head too jobs: ${jobs.filter((j) => j.variantKey === key).map((j) => `${j.kind} ${((j.endedAt ?? 0) - (j.startedAt ?? 0)) / 1000} s`).join(', ')}`);
});
