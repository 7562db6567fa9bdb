/**
 * Text generation in Chromium: the demo LM's greedy continuation of a prompt in the lab equals
 * onnxruntime-node's own greedy loop (scripts/generate-node.ts) token for token; WebGPU writes
 * the same tokens as WASM; seeded sampling repeats itself; a compressed variant writes its own
 * text; an empty prompt is refused with a plain message.
 */
import { expect, test } from '@playwright/test';
import type { Capabilities, GenerationResult, ModelSummary, VariantSummary } from '../workers/api';
import { ok, type Outcome } from './harness/outcome';
import { nodeRefAsync } from './helpers/node-ref';

/** scripts/generate-node.ts: onnxruntime-node's own greedy loop, started now (it runs while the page writes). */
const generateNode = (args: string[]) => nodeRefAsync<{ tokens: number[]; text: string }>('scripts/generate-node.ts', args, 120_000);

test('greedy generation equals onnxruntime-node token for token, on both backends; seeded sampling repeats', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  const prompt = 'The jury said';
  const reference = generateNode(['--prompt', prompt, '--tokens', '24']);
  await page.goto('/e2e/harness/engine.html');
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 60_000 });
  const call = <T>(fn: string, ...args: unknown[]) =>
    page.evaluate(([f, a]) => (window as any).harness[f as string](...(a as unknown[])), [fn, args] as const) as Promise<Outcome<T>>;
  const model = ok(await call<ModelSummary>('loadDemo', 'brown-gpt2'));
  const lab = ok(await call<GenerationResult>('generate', model.id, 'baseline', { backend: 'wasm', prompt, maxNewTokens: 24 }));
  const node = await reference;
  console.log(`greedy: lab WASM "${lab.text}" (${lab.tokensPerS.toFixed(1)} tok/s), onnxruntime-node "${node.text}"`);
  expect(lab.tokens).toEqual(node.tokens);
  expect(lab.text).toBe(node.text);

  const caps = (await page.evaluate(() => (window as any).harness.capabilities())) as Capabilities;
  if (caps.webgpu) {
    const gpu = ok(await call<GenerationResult>('generate', model.id, 'baseline', { backend: 'webgpu', prompt, maxNewTokens: 6 }));
    console.log(`greedy: WebGPU "${gpu.text}" (${gpu.tokensPerS.toFixed(1)} tok/s on this adapter)`);
    expect(gpu.tokens).toEqual(lab.tokens.slice(0, 6));
  }
  const sampled = [1, 2].map(() => call<GenerationResult>('generate', model.id, 'baseline', { backend: 'wasm', prompt, maxNewTokens: 12, temperature: 1, seed: 7 }));
  const [s1, s2] = [ok(await sampled[0]), ok(await sampled[1])];
  expect(s1.tokens).toEqual(s2.tokens);
  expect(s1.tokens).not.toEqual(lab.tokens.slice(0, 12));

  const int2 = ok(await call<VariantSummary>('makeVariant', model.id, { method: 'magnitude-prune', options: { ratio: 0.9 } }, 'cpu'));
  const broken = ok(await call<GenerationResult>('generate', model.id, int2.id, { backend: 'wasm', prompt, maxNewTokens: 24 }));
  console.log(`greedy, 90 % pruned: "${broken.text}"`);
  expect(broken.tokens).not.toEqual(lab.tokens);

  const empty = await call<GenerationResult>('generate', model.id, 'baseline', { backend: 'wasm', prompt: '  ', maxNewTokens: 4 });
  expect(empty.ok ? '' : `${empty.name}: ${empty.message}`).toMatch(/^BadOption: the prompt is empty/);

  // the KV-cache decoder writes on its cache, one token per step, and writes the same tokens
  const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/decoder_model_merged.onnx'];
  const kvModel = ok(await call<ModelSummary>('loadFolder', '/models/brown-gpt2/', files));
  const kv = ok(await call<GenerationResult>('generate', kvModel.id, 'baseline', { backend: 'wasm', prompt, maxNewTokens: 24 }));
  console.log(`greedy with the KV cache: "${kv.text}" (${kv.tokensPerS.toFixed(1)} tok/s, median ${kv.msPerToken.median.toFixed(1)} ms a step; without: ${lab.tokensPerS.toFixed(1)} tok/s)`);
  expect(kv.decode).toBe('KV cache, one token per step');
  expect(lab.decode).toBe('prefill per token (no KV cache)');
  expect(kv.tokens).toEqual(node.tokens);
  const kvInt4 = ok(await call<VariantSummary>('makeVariant', kvModel.id, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu'));
  const kvq = ok(await call<GenerationResult>('generate', kvModel.id, kvInt4.id, { backend: 'wasm', prompt, maxNewTokens: 24 }));
  console.log(`greedy with the KV cache, INT4 g32 variant: "${kvq.text}"`);
  expect(kvq.decode).toBe('KV cache, one token per step');
});

test('a tiny Llama with GQA writes the same tokens with its KV cache as without', async ({ page }) => {
  await page.goto('/e2e/harness/engine.html');
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 60_000 });
  const call = <T>(fn: string, ...args: unknown[]) =>
    page.evaluate(([f, a]) => (window as any).harness[f as string](...(a as unknown[])), [fn, args] as const) as Promise<Outcome<T>>;
  const json = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
  const settings = { backend: 'wasm', prompt: 'The jury said', maxNewTokens: 16 };
  const prefill = ok(await call<ModelSummary>('loadFolder', '/e2e/fixtures/tiny-llama/', [...json, 'onnx/model.onnx']));
  const a = ok(await call<GenerationResult>('generate', prefill.id, 'baseline', settings));
  const kvModel = ok(await call<ModelSummary>('loadFolder', '/e2e/fixtures/tiny-llama/', [...json, 'onnx/decoder_model.onnx']));
  const b = ok(await call<GenerationResult>('generate', kvModel.id, 'baseline', settings));
  console.log(`tiny llama: prefill per token ${a.tokens.join(',')}, KV cache ${b.tokens.join(',')}`);
  expect(b.decode).toBe('KV cache, one token per step');
  expect(b.tokens).toEqual(a.tokens);
});

test('the page writes with every model: the baseline and a 90 % pruned variant side by side', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto('/?nogpu=1');
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  // the reference runs the model the page loaded (the default demo LM), named on its card
  await expect(page.getByTestId('model-name')).toHaveText(/\S/);
  const loaded = `public/models/${await page.getByTestId('model-name').innerText()}`;
  const reference = generateNode(['--model', loaded, '--prompt', 'The jury said', '--tokens', '8']);
  const setChecked = async (id: string, on: boolean) => {
    const box = page.getByTestId(id);
    if ((await box.isChecked()) !== on) await box.click();
  };
  await setChecked('method-int8', false);
  await setChecked('method-int4', false);
  await setChecked('method-prune', true);
  for (const r of [0.1, 0.3, 0.5, 0.7, 0.9]) await setChecked(`prune-${r}`, r === 0.9);
  await setChecked('backend-wasm', true);
  await page.getByTestId('tokens-wasm').fill('256');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'false', { timeout: 180_000 });

  await page.getByTestId('gen-prompt').fill('The jury said');
  await page.getByTestId('gen-tokens').fill('8');
  await page.getByTestId('gen-button').click();
  await expect(page.getByTestId('generation')).toHaveCount(2, { timeout: 120_000 });
  await expect(page.getByTestId('gen-button')).toBeVisible({ timeout: 60_000 });
  expect(`public/models/${await page.getByTestId('model-name').innerText()}`).toBe(loaded);
  const node = await reference;
  const base = page.locator('[data-testid=generation][data-variant=baseline] blockquote');
  await expect(base).toHaveText(`The jury said${node.text}`);
  const pruned = await page.locator('[data-testid=generation]:not([data-variant=baseline]) blockquote').innerText();
  console.log(`page: baseline "${await base.innerText()}", pruned "${pruned}"`);
  expect(pruned).not.toBe(await base.innerText());
  expect(await page.locator('[data-testid=generation][data-variant=baseline]').getAttribute('title')).toMatch(/8 new tokens after a \d+-token prompt, greedy, .+ · WASM, \d+ threads?, batch 1, prefill per token/);
  await page.getByTestId('generation-panel').screenshot({ path: 'test-results/generation-panel.png' });
});
