/**
 * A lone .onnx (the demo LM's graph, without config.json or tokenizer.json): the engine asks for a
 * tokenizer naming the graph's vocabulary, the picker offers the built-ins, the demo classifier's
 * WordPiece (8,195 tokens) is refused for an 8,192-token graph, the demo LM's BPE is taken, and the
 * model then scores exactly the perplexity of its full folder on the same tokens, at the context
 * read off the graph (n_positions from the position table).
 */
import { expect, test, type Page } from '@playwright/test';
import { wasmBaseline } from './helpers/wasm-baseline';

/** WASM, 512 tokens at the model's own context: the baseline's ppl and tokens scored. */
const baselinePpl = async (page: Page, job: string) => {
  const { ppl, scored, context } = await wasmBaseline(page, job, 512);
  return { ppl, scored, context };
};

test('a lone .onnx: pick a built-in tokenizer, same perplexity as its folder', async ({ page }) => {
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto('/?nogpu=1');
  await expect(page.getByTestId('model-name')).toHaveText('brown-gpt2-tiny', { timeout: 120_000 });
  const folder = await baselinePpl(page, 'lone-folder');

  await page.getByTestId('file-input').setInputFiles(['public/models/brown-gpt2-tiny/onnx/model.onnx']);
  const picker = page.getByTestId('tokenizer-picker');
  await expect(picker).toContainText('model.onnx came without tokenizer.json (its graph has a vocabulary of 8,192', { timeout: 60_000 });
  await expect(page.getByTestId('model-name')).toHaveText('brown-gpt2-tiny');

  await page.getByTestId('tokenizer-builtin-brown-bert-genre').click();
  await expect(page.getByTestId('tokenizer-refused')).toContainText("the demo classifier's WordPiece has 8,195 tokens, and model.onnx has a vocabulary of 8,192", { timeout: 60_000 });

  await page.getByTestId('tokenizer-builtin-brown-gpt2-tiny').click();
  await expect(page.getByTestId('model-name')).toHaveText('model', { timeout: 60_000 });
  await expect(picker).toHaveCount(0);
  await expect(page.getByTestId('config-from-graph')).toContainText('vocab_size, n_positions read off the graph; tokenizer: the built-in brown-gpt2-tiny');
  const lone = await baselinePpl(page, 'lone-onnx');
  console.log(`folder ppl ${folder.ppl} (${folder.scored} tokens, context ${folder.context}); lone .onnx + demo LM tokenizer ${lone.ppl} (${lone.scored}, context ${lone.context})`);
  expect(lone).toEqual(folder);
});
