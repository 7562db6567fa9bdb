/**
 * `npm run lab` drives the same page and worker headless: on the demo LM with INT8 on WASM and a
 * small --text it writes results.json (naming the text), results.csv, report.html, report.md and the
 * panels' PNGs, and its numbers equal what the page shows when opened with the same setup and text;
 * a model that cannot be loaded exits non-zero naming the problem; no browser process outlives
 * either run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { setupUrl } from '../src/lib/share';

const cli = (args: string[]) => spawnSync('npx', ['tsx', 'scripts/lab.ts', ...args], { encoding: 'utf8', timeout: 8 * 60_000 });

/** Processes started with this run's marker (see scripts/lab.ts): none may be left. */
function leftovers(out: string): string {
  try {
    return execFileSync('pgrep', ['-af', `lab-cli-out=${out}`], { encoding: 'utf8' }).trim();
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
}

test('npm run lab: outputs equal the page; a bad model fails with a message', async ({ page }) => {
  test.setTimeout(10 * 60_000);
  const out = mkdtempSync(join(tmpdir(), 'lab-cli-'));
  // a small evaluation text (the built-in text's first lines: enough for the 128 tokens asked)
  const text = join(out, 'cli-text.txt');
  writeFileSync(text, readFileSync('public/datasets/brown-test.txt', 'utf8').split('\n').slice(0, 40).join('\n'));
  const r = cli(['--model', 'demo-lm', '--variants', 'int8-channel', '--backends', 'wasm', '--tokens', '128', '--text', text, '--out', out]);
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(r.stdout).toMatch(/\[\d+\/\d+\] INT8.*: done/);
  expect(leftovers(out)).toBe('');
  expect(r.stdout).toContain('evaluation text: cli-text.txt');
  for (const f of ['results.json', 'results.csv', 'report.html', 'report.md', 'size-ppl.png', 'bit-width.png']) expect(existsSync(join(out, f)), f).toBe(true);
  const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  expect(json.schema).toBe('compression-lab.results/1');
  expect(json.rows.map((x: { label: string }) => x.label)).toEqual(['baseline', expect.stringMatching(/^INT8/)]);
  for (const row of json.rows) expect(row.evals.wasm.perplexity.dataset).toBe('cli-text.txt');
  // report.md: the results table as Markdown, one line per row, the numbers of results.json
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  expect(md).toMatch(/^# Compression Lab report/);
  expect(md).toContain('## Results');
  const tableRows = md.split('\n').filter((l) => /^\| (baseline|INT8)/.test(l));
  expect(tableRows).toHaveLength(2);
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
  const f = cli(['--model', folder, '--variants', 'fp16', '--out', bad]);
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
  // --plan-only: load, apply the preset to the loaded model, hand the plan to the page, stop (no run)
  const r = cli(['--model', 'demo-lm', '--preset', 'layer-sensitivity', '--backends', 'wasm', '--plan-only', '--out', out]);
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(r.stdout).not.toContain('left out');
  expect(leftovers(out)).toBe('');
  const settings = JSON.parse(readFileSync(join(out, 'settings.json'), 'utf8'));
  // the demo LM has 4 blocks: INT4 and INT2 (rtn, group 32) for each, one block at a time
  const plan = settings.variants.map((v: { options: { bits: number }; blocks: number[] }) => `${v.options.bits}:${v.blocks.join(',')}`);
  expect(plan).toEqual(['4:0', '4:1', '4:2', '4:3', '2:0', '2:1', '2:2', '2:3']);
  expect(r.stdout).toContain('8 variants on wasm');
});
