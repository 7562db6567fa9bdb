/**
 * Where the browser's memory goes on the 124 M GPT-2 shape, step by step (a diagnostic, not a
 * bench block): load, INT4 g32 packed variant, WASM evaluation, the same as bench "scale", with
 * the RSS of every Chromium process read from /proc (scripts/bench-rss.ts) at each step's peak and
 * again after a forced GC in the engine worker (Chromium started with --expose-gc), so what is
 * held tells apart from garbage not yet collected.
 *
 *   npx tsx scripts/probe-memory.ts [--port 5318] [--device cpu|webgpu] [--tokens 1024]
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from '@playwright/test';
import { launchChromium } from './launch-chromium';
import type { EvalResult, ModelSummary, VariantSummary } from '../workers/api';
import { ROOT } from '../tests/local-models';
import { browserRssByKind, rssPoller } from './bench-rss';
import { call, harness } from './bench-variants';

const { values: a } = parseArgs({ options: { port: { type: 'string', default: '5318' }, device: { type: 'string', default: 'cpu' }, tokens: { type: 'string', default: '1024' } } });
const mib = (b: number) => Math.round(b / 2 ** 20);
const t0 = Date.now();
const log = (s: string) => console.error(`[probe +${((Date.now() - t0) / 1000).toFixed(0)} s] ${s}`);

async function gcWorker(page: Page): Promise<void> {
  log(`gc in ${page.workers().length} workers`);
  // the engine worker only: onnxruntime's thread workers sit in Atomics.wait and never answer
  for (const w of page.workers().filter((x) => x.url().includes('engine.worker'))) await w.evaluate(() => (globalThis as unknown as { gc?: () => void }).gc?.()).catch(() => {});
  await page.evaluate(() => (globalThis as unknown as { gc?: () => void }).gc?.());
  await page.waitForTimeout(1500);
}

async function main() {
  const dir = path.join(ROOT, '.cache', 'models', 'random-gpt2-small');
  if (!existsSync(path.join(dir, 'onnx', 'model.onnx'))) throw new Error('npm run models:random -- gpt2-small first');
  const f32 = statSync(path.join(dir, 'onnx', 'model.onnx')).size;
  const vite = spawn('npx', ['vite', '--port', a.port!, '--strictPort'], { cwd: ROOT, stdio: 'ignore', detached: true });
  const base = `http://localhost:${a.port}/`;
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(base)).ok) break;
    } catch {
      /* not up */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const browser = await launchChromium({ extraArgs: ['--js-flags=--expose-gc'] });
  try {
    // Vite's first visit may optimize dependencies and reload the page: settle on a second visit
    await (await harness(browser, base, log)).close();
    const page = await harness(browser, base, log);
    await page.waitForTimeout(2000);
    const rss = rssPoller(100);
    const idle = rss.idle;
    const held = async (step: string) => {
      await gcWorker(page);
      const k = browserRssByKind();
      const sum = Object.values(k).reduce((x, y) => x + y, 0);
      log(`${step}: after GC +${mib(sum - idle)} MiB (${(sum - idle) / f32 > 0 ? ((sum - idle) / f32).toFixed(2) : '0'}× f32), renderer ${mib(k.renderer ?? 0)}, gpu ${mib(k.gpu ?? 0)}`);
    };
    rss.phase('load');
    const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].filter((f) => existsSync(path.join(dir, f)));
    // as a user's drop: Files backed by the disk (the bench "scale" way)
    await page.setInputFiles('#pick', files.map((f) => path.join(dir, f)));
    const model = await call<ModelSummary>(page, 'loadPicked', files);
    rss.phase('after-load');
    await held('load');
    rss.phase('make');
    log('make');
    const v = await call<VariantSummary>(page, 'makeVariant', model.id, { method: 'int4-group', options: { groupSize: 32 } }, a.device);
    log(`make ${v.makeMs.toFixed(0)} ms, copy ${(v.copyMs ?? NaN).toFixed(0)} ms (×${(v.makeMs / (v.copyMs ?? NaN)).toFixed(2)}), kernels ${v.kernelMs.toFixed(0)} ms, packed ${mib(v.packedBytes)} MiB`);
    rss.phase('after-make');
    await held('make');
    rss.phase('evaluate');
    log('evaluate');
    const ctx = Math.min(model.nPositions || 1024, 1024);
    // the evaluation's RSS by the job's phase (session = onnxruntime making the session, perplexity = running it)
    const byStep = new Map<string, number>();
    const watch = setInterval(async () => {
      const step = await page.evaluate(() => { const p = (window as any).harness.progress as { phase: string }[]; return p[p.length - 1]?.phase ?? '?'; }).catch(() => '?');
      const over = Object.values(browserRssByKind()).reduce((x, y) => x + y, 0) - idle;
      byStep.set(step, Math.max(byStep.get(step) ?? 0, over));
    }, 150);
    const ev = await call<EvalResult>(page, 'evaluate', model.id, v.id, { backend: 'wasm', tokens: Number(a.tokens), context: ctx, stride: ctx, throughputRuns: 0 });
    clearInterval(watch);
    log(`evaluation RSS over idle by step: ${[...byStep].map(([k, b]) => `${k} ${mib(b)} MiB`).join(', ')}`);
    log(`evaluated ${ev.form}${ev.formReason ? ` (${ev.formReason})` : ''}: ppl ${ev.perplexity.ppl}`);
    rss.phase('after-evaluate');
    await held('evaluate');
    const m = rss.stop();
    for (const [name, p] of Object.entries(m.phases)) {
      log(`${name}: peak +${mib(p.peak_over_idle_bytes)} MiB (${(p.peak_over_idle_bytes / f32).toFixed(2)}× f32; ${Object.entries(p.at_peak_over_idle).filter(([, b]) => Math.abs(b) > 2 ** 20).map(([k, b]) => `${k} ${mib(b)}`).join(', ')})`);
    }
    log(`peak over idle ${mib(m.peak - m.idle)} MiB = ${((m.peak - m.idle) / f32).toFixed(3)}× the f32 file (${mib(f32)} MiB)`);
  } finally {
    await browser.close();
    if (vite.pid) process.kill(-vite.pid);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
