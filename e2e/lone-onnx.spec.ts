/**
 * A lone .onnx (the demo LM's graph, without config.json or tokenizer.json): the engine asks for a
 * tokenizer naming the graph's vocabulary, the picker offers the built-ins, the demo classifier's
 * WordPiece (8,195 tokens) is refused for an 8,192-token graph, the demo LM's BPE is taken, and the
 * model then scores exactly the perplexity of its full folder on the same tokens, at the context
 * read off the graph (n_positions from the position table).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { decodeModel, onnx } from '../workers/model/onnx-graph';
import { wasmBaseline } from './helpers/wasm-baseline';

/** The demo graph with every initializer over 1 KiB moved to model.onnx_data, as ONNX's exporters write big models. */
function withExternalData(dir: string): string[] {
  const proto = decodeModel(readFileSync('public/models/brown-gpt2-tiny/onnx/model.onnx'));
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const t of proto.graph!.initializer) {
    if (t.rawData.length <= 1024) continue;
    parts.push(t.rawData);
    t.externalData = [{ key: 'location', value: 'model.onnx_data' }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(t.rawData.length) }];
    t.dataLocation = 1;
    offset += t.rawData.length;
    t.rawData = new Uint8Array(0);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), onnx.ModelProto.encode(proto as never).finish());
  writeFileSync(join(dir, 'model.onnx_data'), Buffer.concat(parts));
  return ['model.onnx', 'model.onnx_data'].map((f) => join(dir, f)).concat(['config.json', 'tokenizer.json', 'tokenizer_config.json'].map((f) => join('public/models/brown-gpt2-tiny', f)));
}

type Lab = {
  __lab: {
    store: { getState: () => { model?: { id: string; nPositions: number } } };
    bridge: {
      evaluate: (m: string, v: string, s: unknown, j: string, p: () => void) => Promise<{ perplexity: { ppl: number }; kl?: { mean: number } }>;
      makeVariant: (m: string, spec: unknown, device: string, j: string, p: () => void) => Promise<{ id: string; f32Bytes: number }>;
    };
  };
};

/** INT4 g32 made on the CPU kernels, scored against its base in one pair graph (WASM, 256 tokens): ppl, mean KL, the f32 size it names. */
const int4Pair = (page: Page, job: string) =>
  page.evaluate(async (jobId) => {
    const lab = (window as unknown as Lab).__lab;
    const m = lab.store.getState().model!;
    const v = await lab.bridge.makeVariant(m.id, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu', `${jobId}-make`, () => {});
    const r = await lab.bridge.evaluate(m.id, v.id, { backend: 'wasm', tokens: 256, context: m.nPositions, stride: m.nPositions, throughputRuns: 0, compareToBase: true }, jobId, () => {});
    return { ppl: r.perplexity.ppl, kl: r.kl?.mean, f32Bytes: v.f32Bytes };
  }, job);

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
  const folderInt4 = await int4Pair(page, 'folder-int4');

  await page.getByTestId('file-input').setInputFiles(['public/models/brown-gpt2-tiny/onnx/model.onnx']);
  const picker = page.getByTestId('tokenizer-picker');
  await expect(picker).toContainText('model.onnx: expected tokenizer.json beside the model, it came without one (its graph has a vocabulary of 8,192', { timeout: 60_000 });
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

  // the same weights in external data, sent to the worker as a file handle and read tensor by tensor
  await page.getByTestId('file-input').setInputFiles(withExternalData(join('test-results', 'lone-onnx-external')));
  // (files given without their folder: the name is config.json's model_type)
  await expect(page.getByTestId('model-name')).toHaveText('gpt2', { timeout: 60_000 });
  const external = await baselinePpl(page, 'external-data');
  // the pair graph reads the base's weights from the same data file
  const externalInt4 = await int4Pair(page, 'external-int4');
  console.log(`external data read per tensor, handed to onnxruntime-web as a file: ${external.ppl} (${external.scored} tokens); INT4 g32 vs its base ${JSON.stringify(externalInt4)}, from the folder ${JSON.stringify(folderInt4)}`);
  expect(external).toEqual(folder);
  expect(externalInt4.ppl).toBe(folderInt4.ppl);
  expect(externalInt4.kl).toBe(folderInt4.kl);
  expect(externalInt4.f32Bytes).toBeGreaterThan(0.99 * folderInt4.f32Bytes);

  // the lone .onnx again, its tokenizer files given in the picker instead of a built-in
  await page.getByTestId('file-input').setInputFiles(['public/models/brown-gpt2-tiny/onnx/model.onnx']);
  await expect(picker).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('tokenizer-files').setInputFiles(['tokenizer.json', 'tokenizer_config.json'].map((f) => join('public/models/brown-gpt2-tiny', f)));
  await expect(page.getByTestId('model-name')).toHaveText('model', { timeout: 60_000 });
  await expect(page.getByTestId('config-from-graph')).toHaveText('No config.json: vocab_size, n_positions read off the graph.');
  expect(await baselinePpl(page, 'lone-own-tokenizer')).toEqual(folder);
});
