/**
 * `npm run lab` drives the same page and worker headless: on the default demo LM (brown-gpt2-tiny)
 * with the Bit-width sweep preset on WASM, 64 tokens of a small --text, it writes results.json
 * (naming the text), results.csv, report.html, report.md and the panels' PNGs, and its numbers equal
 * what the page shows when opened with the same setup and text; a model that cannot be loaded exits
 * non-zero naming the problem; the demo classifier writes its accuracy / F1 report (equal to
 * onnxruntime-node's accuracy on the same examples); --plan-only takes both backends; no browser
 * process outlives any run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { setupUrl } from '../src/lib/share';
import { nodeRefAsync } from './helpers/node-ref';

// scripts/lab.ts as `npm run lab` runs it (tsx), started by node itself: npx's own start is seconds of wall a run here, and no part of the CLI
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/lab.ts', ...args], { encoding: 'utf8', timeout: 8 * 60_000 });
/** The runs after the first use the lab this spec's server already serves (--url): the first run proves the CLI
 * serves the app itself; the others would each pay a Vite start and a first transform of the app (~15 s). */
const served = () => ['--url', test.info().project.use.baseURL!];

/** Processes started with this run's marker (see scripts/lab.ts): none may be left. */
function leftovers(out: string): string {
  try {
    return execFileSync('pgrep', ['-af', `lab-cli-out=${out}`], { encoding: 'utf8' }).trim();
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
}

test('npm run lab --preset bit-width: outputs equal the page; a bad model fails with a message', async ({ page }) => {
  test.setTimeout(10 * 60_000);
  const out = mkdtempSync(join(tmpdir(), 'lab-cli-'));
  // a small evaluation text (the built-in text's first lines: enough for the 64 tokens asked)
  const text = join(out, 'cli-text.txt');
  writeFileSync(text, readFileSync('public/datasets/brown-test.txt', 'utf8').split('\n').slice(0, 40).join('\n'));
  // a real preset, small: the bit-width sweep (FP16, INT8, INT4, INT3, INT2, NF4 and the FP32 baseline)
  const r = cli(['--model', 'demo-lm', '--preset', 'bit-width', '--backends', 'wasm', '--tokens', '64', '--text', text, '--out', out]);
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(r.stdout).toMatch(/\[\d+\/\d+\] INT2.*: done/);
  expect(leftovers(out)).toBe('');
  expect(r.stdout).toContain('evaluation text: cli-text.txt');
  for (const f of ['results.json', 'results.csv', 'report.html', 'report.md', 'size-ppl.png', 'bit-width.png']) expect(existsSync(join(out, f)), f).toBe(true);
  const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  expect(json.schema).toBe('compression-lab.results/1');
  // demo-lm is the demo the page opens with
  expect(json.model).toMatchObject({ name: 'brown-gpt2-tiny', source: 'demo' });
  expect(json.rows.map((x: { label: string }) => x.label)).toEqual(['baseline', ...['FP16', 'INT8', 'INT4', 'INT3', 'INT2', 'NF4'].map((l) => expect.stringContaining(l))]);
  for (const row of json.rows) expect(row.evals.wasm.perplexity).toMatchObject({ dataset: 'cli-text.txt', tokensScored: 63 });
  // the terminal names each number with its settings
  expect(r.stdout).toContain(`baseline · wasm: perplexity ${json.rows[0].evals.wasm.perplexity.ppl.toFixed(2)} (63 tokens of cli-text.txt)`);
  // report.md: the results table as Markdown, one line per row, the numbers of results.json
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  expect(md).toMatch(/^# Compression Lab report/);
  expect(md).toContain('## Results');
  const tableRows = md.split('\n').filter((l) => /^\| (baseline|FP16|INT|NF4)/.test(l));
  expect(tableRows).toHaveLength(json.rows.length);
  expect(tableRows[0]).toContain(json.rows[0].evals.wasm.perplexity.ppl.toFixed(2));
  const csv = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
  expect(csv).toHaveLength(1 + json.rows.length);

  // the page, opened with the same setup and run, shows the same numbers
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto(setupUrl(JSON.parse(readFileSync(join(out, 'settings.json'), 'utf8')), `${test.info().project.use.baseURL}/?nogpu=1`));
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('eval-text-file').setInputFiles(text);
  await expect(page.getByTestId('eval-text-name')).toHaveText('cli-text.txt');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'false', { timeout: 300_000 });
  const rows = page.getByTestId('result-row');
  await expect(rows).toHaveCount(json.rows.length);
  for (let i = 0; i < json.rows.length; i++) {
    await expect(rows.nth(i).getByTestId('ppl-wasm')).toHaveText(json.rows[i].evals.wasm.perplexity.ppl.toFixed(2));
  }

  // a folder whose model.onnx is not ONNX: the page's reason, a non-zero exit
  const folder = mkdtempSync(join(tmpdir(), 'lab-cli-model-'));
  mkdirSync(join(folder, 'onnx'));
  writeFileSync(join(folder, 'config.json'), '{"model_type": "gpt2"}');
  writeFileSync(join(folder, 'onnx', 'model.onnx'), 'not a model');
  const bad = mkdtempSync(join(tmpdir(), 'lab-cli-bad-'));
  const f = cli(['--model', folder, '--variants', 'fp16', '--out', bad, ...served()]);
  expect(f.status, f.stdout).not.toBe(0);
  expect(f.stderr).toMatch(/lab: could not load the model from .*lab-cli-model-.*: .*onnx/i);
  expect(leftovers(bad)).toBe('');
  const g = cli(['--model', '/no/such/folder', '--preset', 'seed-grid']);
  expect(g.status).toBe(2);
  expect(g.stderr).toContain('model folder /no/such/folder does not exist');
});

test('npm run lab --preset layer-sensitivity plans one variant per block of the loaded model', () => {
  test.setTimeout(4 * 60_000);
  const out = mkdtempSync(join(tmpdir(), 'lab-cli-plan-'));
  // --plan-only: load, apply the preset to the loaded model, hand the plan to the page, stop (no run);
  // --head: every variant also compresses the LM head (the page takes the plan as given, or the CLI fails)
  const r = cli(['--model', 'demo-lm', '--preset', 'layer-sensitivity', '--backends', 'wasm,webgpu', '--plan-only', '--head', '--out', out, ...served()]);
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(r.stdout).not.toContain('left out');
  expect(r.stdout).toContain(`using the lab at ${test.info().project.use.baseURL}`);
  expect(leftovers(out)).toBe('');
  const settings = JSON.parse(readFileSync(join(out, 'settings.json'), 'utf8'));
  // the demo LM has 4 blocks: INT4 and INT2 (rtn, group 32) for each, one block at a time
  const plan = settings.variants.map((v: { options: { bits: number }; blocks: number[] }) => `${v.options.bits}:${v.blocks.join(',')}`);
  expect(plan).toEqual(['4:0', '4:1', '4:2', '4:3', '2:0', '2:1', '2:2', '2:3']);
  expect(settings.variants.every((v: { head?: boolean }) => v.head === true)).toBe(true);
  expect(r.stdout).toContain('block 0 · LM head too');
  expect(r.stdout).toContain('8 variants on wasm, webgpu');
  // both backends, the variants made with the WebGPU kernels (as the page does when WebGPU is asked for)
  expect(settings).toMatchObject({ backends: ['wasm', 'webgpu'], device: 'webgpu' });
});

test('npm run lab --model demo-classifier: the accuracy / F1 report in results.json and the reports', async () => {
  test.setTimeout(6 * 60_000);
  const out = mkdtempSync(join(tmpdir(), 'lab-cli-cls-'));
  // 40 labelled examples (the built-in test set's first lines) as --text
  const examples = join(out, 'genre-40.jsonl');
  writeFileSync(examples, readFileSync('public/datasets/brown-genre-test.jsonl', 'utf8').split('\n').filter(Boolean).slice(0, 40).join('\n') + '\n');
  // the baseline's accuracy = onnxruntime-node's on the same examples (an independent tokenizer and runtime): started now, compared below
  const reference = nodeRefAsync<{ accuracy: number }>('scripts/classify-node.ts', ['--examples', examples], 120_000);
  const r = cli(['--model', 'demo-classifier', '--variants', 'int8-channel', '--backends', 'wasm', '--text', examples, '--out', out, ...served()]);
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(leftovers(out)).toBe('');
  expect(r.stdout).toContain('labelled examples: genre-40.jsonl');
  const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  expect(json.model).toMatchObject({ name: 'brown-bert-genre', source: 'demo' });
  expect(json.rows.map((x: { label: string }) => x.label)).toEqual(['baseline', expect.stringMatching(/^INT8/)]);
  type C = { dataset: string; examples: number; accuracy: number; macroF1: number; perClass: { label: string; f1: number }[]; confusion: number[][] };
  for (const row of json.rows) {
    const [c] = row.classifications as C[];
    expect(c).toMatchObject({ dataset: 'genre-40.jsonl', examples: 40 });
    // accuracy is the confusion matrix's diagonal; macro F1 the mean of the per-label F1
    expect(c.accuracy).toBeCloseTo(c.confusion.reduce((a, x, i) => a + x[i], 0) / 40, 12);
    expect(c.macroF1).toBeCloseTo(c.perClass.reduce((a, p) => a + p.f1, 0) / c.perClass.length, 12);
    expect(r.stdout).toContain(`${row.label} · wasm: accuracy ${(c.accuracy * 100).toFixed(1)} %, macro F1 ${c.macroF1.toFixed(3)} (40 examples of genre-40.jsonl)`);
  }
  const node = await reference;
  console.log(`lab CLI demo-classifier, 40 examples: baseline accuracy ${json.rows[0].classifications[0].accuracy}, onnxruntime-node ${node.accuracy}; INT8 ${json.rows[1].classifications[0].accuracy}`);
  expect(json.rows[0].classifications[0].accuracy).toBe(node.accuracy);
  expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/## Classification[\s\S]*macro F1/i);
  expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('data-classification');
  expect(readFileSync(join(out, 'results.csv'), 'utf8').split('\n')[0]).toContain('accuracy (wasm · genre-40.jsonl · 40 examples)');
});
