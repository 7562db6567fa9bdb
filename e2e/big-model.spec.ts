/**
 * A model past protobuf's 2 GiB end to end in Chromium on WASM (issue 7), gated: LAB_BIG=1 (it
 * reads 2.28 GiB and takes minutes, so the default suite skips it; the pieces are unit-tested in
 * vitest: declared-size, external-files, external-weights).
 *
 * The model: `npm run models:random -- gpt2-wide` (8 x 2048, a small onnx/model.onnx and 2.28 GiB in
 * onnx/model.onnx_data) in the git-ignored .cache. Dropped as files (the data file as a handle, read
 * per tensor), its baseline and an INT4 g32 packed variant are scored on a few tokens on WASM; the
 * variant is exported (onnx/model.onnx + onnx/model.onnx_data) and onnxruntime-node scores the
 * exported folder and the source folder on the same tokens (scripts/ppl-node.ts, its own windows):
 * within 0.1 %. Browser RSS over idle (every Chromium process, /proc VmRSS) is logged per phase.
 *
 * Measured 2026-11-29 on the shared 2-core machine: 3.3-6.6 min by its load; loaded in 9-21 s; baseline
 * WASM 82329.3885 vs node 82329.3643 (63 tokens); INT4 g32 744,166,232 B, WASM 83183.6749 vs node
 * on the export 83183.6073; the head's INT4 (50257 x 2048) alone up to 49 s; RSS over idle 0.96 GiB:
 * load 2.36, baseline 6.88, INT4 7.03, export 9.83 GiB (peak 10.79 GiB in all).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { rssPoller } from '../scripts/bench-rss';
import { wasmBaseline } from './helpers/wasm-baseline';

const DIR = '.cache/models/random-gpt2-wide';
const TOKENS = 64;

type Lab = {
  __lab: {
    store: { getState: () => { model?: { id: string } } };
    bridge: {
      evaluate: (m: string, v: string, s: unknown, j: string, p: () => void) => Promise<{ perplexity: { ppl: number; tokensScored: number } }>;
      makeVariant: (m: string, spec: unknown, device: string, j: string, p: () => void) => Promise<{ id: string; packedBytes: number; format: string }>;
      exportVariant: (m: string, v: string, measured: unknown, j: string, p: () => void) => Promise<{ zip: Uint8Array; fileName: string; files: { path: string; bytes: number }[] }>;
    };
  };
};

const nodePpl = (dir: string) =>
  JSON.parse(execFileSync('npx', ['tsx', 'scripts/ppl-node.ts', '--model', dir, '--tokens', String(TOKENS), '--context', String(TOKENS), '--stride', String(TOKENS)], { encoding: 'utf8' }).trim().split('\n').pop()!) as { ppl: number; tokensScored: number };

test.skip(!process.env.LAB_BIG, 'LAB_BIG=1 runs the > 2 GiB model (minutes; npm run models:random -- gpt2-wide first)');

test('past 2 GiB: a 2.28 GiB f32 model loads, packs to INT4 and scores on WASM = onnxruntime-node', async ({ page }) => {
  test.setTimeout(40 * 60_000);
  expect(existsSync(join(DIR, 'onnx', 'model.onnx_data')), `${DIR}: npm run models:random -- gpt2-wide`).toBe(true);
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  page.on('console', (m) => m.type() === 'error' && console.log('[console]', m.text().slice(0, 400)));
  await page.goto('/?nogpu=1');
  await expect(page.getByTestId('model-name')).toHaveText('brown-gpt2-tiny', { timeout: 120_000 });
  const rss = rssPoller(250);
  const t0 = Date.now();
  rss.phase('load');
  await page.getByTestId('file-input').setInputFiles(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model.onnx_data'].map((f) => join(DIR, f)));
  // loaded, or the refusal said (no waiting out the timeout on an error banner)
  await expect(page.getByTestId('model-name').filter({ hasText: /^gpt2$/ }).or(page.getByRole('alert'))).toBeVisible({ timeout: 15 * 60_000 });
  const alert = page.getByRole('alert');
  if (await alert.count()) console.log('[alert]', await alert.allTextContents());
  await expect(page.getByTestId('model-name')).toHaveText('gpt2');
  const loadS = (Date.now() - t0) / 1000;
  rss.phase('baseline');
  const base = await wasmBaseline(page, 'big-base', TOKENS, TOKENS);
  rss.phase('int4');
  const int4 = await page.evaluate(async (n) => {
    const lab = (window as unknown as Lab).__lab;
    const m = lab.store.getState().model!;
    // the make's longest step sends no message (the head's INT4, one call): the bridge stretches its
    // job heartbeat by the largest weight (bridge.ts jobSilenceFor); the steps are logged
    const t0 = performance.now();
    const steps: string[] = [];
    let last = '';
    let lastAt = 0;
    const v = await lab.bridge.makeVariant(m.id, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu', 'big-make', ((p: { phase: string; done: number; total: number }) => {
      // each phase's start, and the compress steps that took over 5 s
      const at = (performance.now() - t0) / 1000;
      if (p.phase !== last || at - lastAt > 5) steps.push(`${p.phase} ${p.done}/${p.total} @${at.toFixed(1)} s`);
      last = p.phase;
      lastAt = at;
    }) as () => void);
    steps.push(`made @${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const r = await lab.bridge.evaluate(m.id, v.id, { backend: 'wasm', tokens: n, context: n, stride: n, throughputRuns: 0 }, 'big-int4', () => {});
    return { id: v.id, ppl: r.perplexity.ppl, scored: r.perplexity.tokensScored, packedBytes: v.packedBytes, format: v.format, steps };
  }, TOKENS);
  console.log(`INT4 make steps: ${int4.steps.join(', ')}`);
  rss.phase('export');
  const download = page.waitForEvent('download', { timeout: 10 * 60_000 });
  const files = await page.evaluate(async (id) => {
    const lab = (window as unknown as Lab).__lab;
    const out = await lab.bridge.exportVariant(lab.store.getState().model!.id, id, { results: [] }, 'big-export', () => {});
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([out.zip as BlobPart]));
    a.download = out.fileName;
    a.click();
    return out.files;
  }, int4.id);
  const zipPath = join('test-results', 'big-model', 'int4.zip');
  mkdirSync(dirname(zipPath), { recursive: true });
  await (await download).saveAs(zipPath);
  const peaks = rss.stop();
  const exported = join('test-results', 'big-model', 'int4');
  for (const [p, b] of Object.entries(unzipSync(readFileSync(zipPath)))) {
    mkdirSync(dirname(join(exported, p)), { recursive: true });
    writeFileSync(join(exported, p), b);
  }
  const nodeBase = nodePpl(DIR);
  const nodeInt4 = nodePpl(exported);
  const gib = (b: number) => (b / 2 ** 30).toFixed(2);
  console.log(`big model: loaded in ${loadS.toFixed(0)} s; baseline WASM ${base.ppl} (${base.scored} tokens) vs onnxruntime-node ${nodeBase.ppl} (${nodeBase.tokensScored}); INT4 g32 ${int4.format} ${int4.packedBytes} B: WASM ${int4.ppl} (${int4.scored}) vs node on the export ${nodeInt4.ppl}; export ${JSON.stringify(files)}`);
  console.log(`browser RSS: idle ${gib(peaks.idle)} GiB, peak ${gib(peaks.peak)} GiB; per phase over idle: ${Object.entries(peaks.phases).map(([k, p]) => `${k} ${gib(p.peak_over_idle_bytes)} GiB (${Object.entries(p.at_peak_over_idle).map(([kind, b]) => `${kind} ${gib(b)}`).join(', ')})`).join('; ')}`);
  expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['onnx/model.onnx', 'onnx/model.onnx_data']));
  expect(base.scored).toBe(nodeBase.tokensScored);
  expect(Math.abs(base.ppl / nodeBase.ppl - 1)).toBeLessThan(1e-3);
  expect(Math.abs(int4.ppl / nodeInt4.ppl - 1)).toBeLessThan(1e-3);
});
