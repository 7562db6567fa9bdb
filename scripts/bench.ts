/**
 * `npm run bench -- --out FILE`: perplexity and evaluation speed of the demo LM for these
 * contestants on the same tokens and the same windows, in one run:
 *   ort_node            onnxruntime-node (CPU EP) in this process
 *   ort_web_wasm_bare*  onnxruntime-web's WASM EP imported directly in headless Chromium, no lab code
 *                       (BARE: the lab's evaluation graph, or full logits + JS log-softmax; main thread or worker)
 *   lab_wasm            the lab engine through its worker API (comlink), backend 'wasm'
 *   lab_webgpu          the same, backend 'webgpu'
 * Eval tokens/s = tokens fed through the model (Σ window lengths) / wall seconds of the whole
 * perplexity loop (session.run + reading its outputs + the NLL sum), median over --runs passes
 * (the interleaved bare/lab block: at least 7 rounds), each contestant after one untimed warm-up window. Ratios compare contestants within this run; never
 * compare seconds across machines.
 *
 *   npx tsx scripts/bench.ts --out bench.json [--tokens 4096] [--webgpu-tokens N] [--context 256]
 *       [--stride 256] [--runs 3] [--webgpu-runs N] [--port 5199] [--calibrated-port N] [--skip-webgpu] [--extra] [--skip-gptq-124m]
 * WebGPU on SwiftShader (no GPU) takes seconds to minutes per window: by default it scores 512 tokens in 1 pass (--webgpu-tokens, --webgpu-runs).
 * --extra adds diagnostic contestants (bare ORT in a worker, bare ORT from the webgpu bundle).
 * --only ppl,classification,… runs only the named blocks (default: all of them; see BLOCKS).
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from '@playwright/test';
import { slidingPerplexity, slidingWindows, medianP90, type WindowSettings } from '../workers/eval/windows';
import { DATASETS, ROOT, modelFile, readJson, session, tokenizer, windowRunner } from '../tests/local-models';
import type { Capabilities, ModelSummary } from '../workers/api';
import type { BareGraph, BareRequest, BareResult } from '../e2e/harness/bench';
import { benchExportsAndSpeed, benchScale } from './bench-variants';
import { kernelSpeedsCalibrated } from './bench-kernel-calibrated';
import { BENCH_KERNEL_ROUNDS } from './kernel-speed-entry';
import { benchReliability } from './bench-reliability';
import { benchEval } from './bench-eval';
import { benchMethods } from './bench-methods';
import { benchModels } from './bench-models';
import { benchSpeed } from './bench-speed';
import { benchClassification } from './bench-classification';
import { startVite, stopVite } from './vite-server';
import { launchChromium } from './launch-chromium';
import { onFreshPage } from './fresh-page';
import { measureFirstTouch } from '../e2e/harness/first-touch';

const MODEL = 'brown-gpt2';
const DATASET = 'brown-test.txt';

const { values: a } = parseArgs({
  options: {
    out: { type: 'string' },
    tokens: { type: 'string', default: '4096' },
    'webgpu-tokens': { type: 'string' },
    context: { type: 'string' },
    stride: { type: 'string' },
    runs: { type: 'string', default: '3' },
    'webgpu-runs': { type: 'string' },
    port: { type: 'string', default: '5199' },
    // the calibrated block's dev server (GPTQ on the 124 M shape in Chromium); default port + 2
    'calibrated-port': { type: 'string' },
    'skip-webgpu': { type: 'boolean', default: false },
    'skip-scale': { type: 'boolean', default: false },
    'skip-reliability': { type: 'boolean', default: false },
    // GPTQ-4 g128 of the 124 M shape in Chromium (calibration.gptq_124m_s): 275 s on a 2-core machine at load ~2 in the clean-clone bench of d759c3a (scripts/bench-gptq-124m.ts; README); part of the default run
    'skip-gptq-124m': { type: 'boolean', default: false },
    extra: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});

/** The bench's blocks, in the order they run; `--only a,b` runs just those. */
const BLOCKS = Object.freeze(['ppl', 'export', 'eval', 'speed', 'models', 'classification', 'scale', 'reliability', 'calibrated', 'methods'] as const);
const only = a.only === undefined ? undefined : new Set(a.only.split(',').map((x) => x.trim()).filter(Boolean));
for (const b of only ?? []) if (!(BLOCKS as readonly string[]).includes(b)) throw new Error(`--only: unknown block "${b}"; the blocks are ${BLOCKS.join(', ')}`);
const want = (b: (typeof BLOCKS)[number]) => !only || only.has(b);

/**
 * The bare onnxruntime-web contestants (plain WASM build, all cores): the lab's work (its evaluation
 * graph, the NLL in the graph) and the published model's (every logit read, log-softmax in JS), each
 * on the page's main thread and in a module worker. The lab is compared with the fastest that does
 * its work; the logits ones keep their keys from before the scored ones existed.
 */
const BARE = Object.freeze([
  { key: 'ort_web_wasm_bare_scored_worker', graph: 'scored', where: 'worker' },
  { key: 'ort_web_wasm_bare_scored', graph: 'scored', where: 'main' },
  { key: 'ort_web_wasm_bare', graph: 'logits', where: 'main' },
  { key: 'ort_web_wasm_bare_worker', graph: 'logits', where: 'worker' },
] as const);
const BARE_WORK: Record<BareGraph, string> = {
  scored: "the lab's evaluation graph (NLL by ReduceLogSumExp and top-1 in the graph, only they read back), as the lab evaluates on WASM",
  logits: 'full logits + JS log-softmax (the published model, every logit read back, NLL in JS)',
};

const log = (s: string) => console.error(`[bench] ${s}`);
const round = (x: number, d = 4) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);

interface Contestant {
  ppl: number;
  tokensScored: number;
  windows: number;
  tokensFed: number;
  passSeconds: number[];
  tokensPerS: number;
  extra?: Record<string, unknown>;
}

function summarize(passes: { ppl: number; tokensScored: number; windows: number; seconds: number; tokensFed: number }[], extra?: Record<string, unknown>): Contestant {
  const secs = passes.map((p) => p.seconds);
  const { median } = medianP90(secs);
  const p = passes[0];
  return { ppl: p.ppl, tokensScored: p.tokensScored, windows: p.windows, tokensFed: p.tokensFed, passSeconds: secs.map((s) => round(s)), tokensPerS: p.tokensFed / median, extra };
}

async function ortNode(ids: number[], s: WindowSettings, runs: number): Promise<Contestant> {
  const sess = await session(MODEL);
  const run = windowRunner(sess);
  const w0 = slidingWindows(s)[0];
  await run(BigInt64Array.from(ids.slice(w0.begin, w0.end), (v) => BigInt(v)));
  const fed = slidingWindows(s).reduce((acc, w) => acc + (w.end - w.begin), 0);
  const passes = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await slidingPerplexity(ids, s, run);
    passes.push({ ...r, seconds: (performance.now() - t0) / 1000, tokensFed: fed });
  }
  await sess.release();
  return summarize(passes, { executionProvider: 'cpu', intraOpNumThreads: 'default (all cores)' });
}

type LabPass = { ppl: number; tokensScored: number; windows: number; seconds: number; callSeconds: number; tokensFed: number };
const fromLab = (passes: LabPass[], warmupCallS: number) =>
  summarize(passes, { timing: 'PerplexityResult.seconds (engine)', callSeconds: passes.map((p) => round(p.callSeconds)), warmupCallS: round(warmupCallS) });

/**
 * Runs `fn` on a fresh bench page and closes it. If Vite reloads the page mid-call (it optimized
 * a dependency it had just discovered), `fn` is run once more on a new page.
 */
async function withPage(browser: Browser, base: string, fn: (page: Page) => Promise<void>): Promise<void> {
  return onFreshPage(() => openBench(browser, base), fn, () => log('page reloaded by Vite mid-call; running this step again on a fresh page'));
}

async function openBench(browser: Browser, base: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') log(`[page ${m.type()}] ${m.text()}`);
  });
  page.on('pageerror', (e) => log(`[page error] ${e.message}`));
  page.on('crash', () => log('[page] renderer crashed'));
  await page.goto(`${base}e2e/harness/bench.html`, { timeout: 300_000, waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => 'bench' in window, null, { timeout: 300_000 });
  return page;
}

const call = <T>(page: Page, fn: string, ...args: unknown[]): Promise<T> =>
  page.evaluate(([f, x]) => (window as any).bench[f as string](...(x as unknown[])), [fn, args] as const) as Promise<T>;

async function main(): Promise<void> {
  const config = readJson(modelFile(MODEL, 'config.json'));
  const nPositions = Number(config.n_positions ?? config.max_position_embeddings);
  const context = Number(a.context ?? nPositions);
  const stride = Number(a.stride ?? context);
  const tokens = Number(a.tokens);
  // WebGPU on a software adapter takes seconds per window: by default it scores 512 tokens once, so the whole bench stays within 30 minutes
  const webgpuTokens = Number(a['webgpu-tokens'] ?? Math.min(tokens, 512));
  const runs = Math.max(1, Number(a.runs));
  const webgpuRuns = Math.max(1, Number(a['webgpu-runs'] ?? 1));
  const port = Number(a.port);
  const s: WindowSettings = { tokens, context, stride };
  const notes: string[] = [];

  execFileSync('node', ['scripts/copy-runtime-assets.mjs'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const loadStart = os.loadavg();

  log('tokenizing in Node (transformers.js, local files)');
  const tok = await tokenizer(MODEL);
  const t0 = performance.now();
  const allIds: number[] = tok.encode(readFileSync(path.join(DATASETS, DATASET), 'utf8'));
  const tokenizeS = (performance.now() - t0) / 1000;
  if (allIds.length < tokens) throw new Error(`--tokens ${tokens} > dataset tokens ${allIds.length}`);
  const ids = allIds.slice(0, Math.max(tokens, webgpuTokens));
  if (only) log(`only: ${[...only].join(', ')}`);
  const windows = slidingWindows(s);

  let node: Contestant | null = null;
  if (want('ppl')) {
    log(`ort_node: ${tokens} tokens, ${windows.length} windows, ${runs} runs`);
    node = await ortNode(ids, s, runs);
  }

  let vite: ChildProcess | undefined;
  let browser: Browser | undefined;
  const results: Record<string, Contestant | null> = { ort_node: node, ...Object.fromEntries(BARE.map((b) => [b.key, null])), lab_wasm: null, lab_webgpu: null };
  let machinePage: Record<string, unknown> = {};
  let caps: Capabilities | undefined;
  let chromiumVersion = '';
  // per kind of bare work: its fastest configuration and the per-round paired ratios (bare s / lab s)
  const fastest: Partial<Record<BareGraph, { key: string; paired: number[] }>> = {};
  // the interleaved bare/lab block times more rounds than --runs: its paired ratio is the figure the issue asks for
  const rounds = Math.max(runs, 7);
  const variantReport: Record<string, unknown> = {};
  try {
    log(`starting vite on ${port}`);
    vite = await startVite(port);
    browser = await launchChromium();
    chromiumVersion = browser.version();
    const base = `http://localhost:${port}/`;
    const bareReq = (bundle: 'wasm' | 'webgpu'): BareRequest => ({ ids, tokens, context, stride, runs, bundle, modelUrl: `/models/${MODEL}/onnx/model.onnx` });
    const fromBare = (r: BareResult) =>
      summarize(r.passes, { bundle: r.bundle, graph: r.graph, work: BARE_WORK[r.graph], where: r.where, numThreads: r.numThreads, crossOriginIsolated: r.crossOriginIsolated, sessionCreateS: round(r.sessionCreateS), warmupS: round(r.warmupS) });

    // prime: the first page makes Vite optimize what the engine and ORT pull in (it reloads pages when it does)
    await withPage(browser, base, async (page) => {
      await call(page, 'prime');
      await call(page, 'labLoad', MODEL);
      machinePage = await call(page, 'machine', true);
      caps = await call<Capabilities>(page, 'labCapabilities');
    });

    // the bare contestants and lab_wasm on one page, their timed passes interleaved in rotating order so
    // that background load drifts hit all alike; bare sessions on the page's main thread and in a module
    // worker, the lab in its worker. Two kinds of bare work: 'logits' (every logit read, log-softmax in JS)
    // and 'scored' (the lab's own evaluation graph, built without lab code: e2e/harness/bare-scored.ts)
    if (want('ppl')) await withPage(browser, base, async (page) => {
      machinePage = { ...machinePage, ...(await call<Record<string, unknown>>(page, 'machine')) };
      caps = await call<Capabilities>(page, 'labCapabilities');
      const model = await call<ModelSummary>(page, 'labLoad', MODEL);
      if (model.datasetTokens !== allIds.length) notes.push(`TOKENIZATION DIFFERS: lab has ${model.datasetTokens} dataset tokens, Node ${allIds.length}`);
      log(`${BARE.map((b) => b.key).join(', ')} (onnxruntime-web/wasm) and lab_wasm, ${rounds} interleaved rounds`);
      const opened: Omit<BareResult, 'passes'>[] = [];
      for (const b of BARE) opened.push(await call<Omit<BareResult, 'passes'>>(page, b.where === 'main' ? 'bareOpen' : 'bareWorkerOpen', { ...bareReq('wasm'), graph: b.graph }));
      const labS = { backend: 'wasm', tokens, context, stride };
      const warm = await call<number>(page, 'labWarm', model.id, labS);
      const bareP: BareResult['passes'][] = BARE.map(() => []);
      const labP: LabPass[] = [];
      const who = [...BARE.keys(), -1];
      for (let i = 0; i < rounds; i++) {
        // round i starts at contestant i: each takes every place in the order in turn
        for (const k of who.map((_, j) => who[(i + j) % who.length])) {
          if (k < 0) labP.push(await call(page, 'labPass', model.id, labS));
          else bareP[k].push(await call(page, BARE[k].where === 'main' ? 'barePass' : 'bareWorkerPass', BARE[k].graph));
        }
        log(`  round ${i + 1}/${rounds}: ${BARE.map((b, k) => `${b.key} ${bareP[k][i].seconds.toFixed(2)} s`).join(', ')}, lab ${labP[i].seconds.toFixed(2)} s`);
      }
      for (const b of BARE) await call(page, b.where === 'main' ? 'bareClose' : 'bareWorkerClose', b.graph);
      BARE.forEach((b, k) => (results[b.key] = fromBare({ ...opened[k], passes: bareP[k] })));
      results.lab_wasm = fromLab(labP, warm);
      // per kind of work, the fastest bare configuration (by median pass), and the lab against it round by round
      for (const graph of ['scored', 'logits'] as const) {
        const ks = [...BARE.keys()].filter((k) => BARE[k].graph === graph);
        const f = ks.reduce((x, y) => (results[BARE[y].key]!.tokensPerS > results[BARE[x].key]!.tokensPerS ? y : x));
        fastest[graph] = { key: BARE[f].key, paired: labP.map((l, i) => bareP[f][i].seconds / l.seconds) };
      }
    });

    if (a.extra && want('ppl')) {
      for (const bundle of ['wasm', 'webgpu'] as const) {
        log(`extra: bare in a plain worker (onnxruntime-web/${bundle}${bundle === 'webgpu' ? ' with the wasm EP: the build the lab uses' : ''})`);
        await withPage(browser, base, async (page) => {
          results[`ort_web_bare_worker_${bundle}_bundle`] = fromBare(await call<BareResult>(page, 'bareWorker', bareReq(bundle)));
        });
      }
    }

    if (!want('ppl')) notes.push('ppl contestants skipped (--only)');
    else if (a['skip-webgpu']) notes.push('lab_webgpu skipped (--skip-webgpu)');
    else if (!caps?.webgpu) notes.push(`lab_webgpu skipped: ${caps?.webgpuReason}`);
    else {
      log(`lab_webgpu: ${webgpuTokens} tokens, ${webgpuRuns} runs`);
      if (webgpuRuns !== runs) notes.push(`lab_webgpu timed over ${webgpuRuns} pass(es) (--webgpu-runs), the others over ${runs}`);
      try {
        await withPage(browser, base, async (page) => {
          const model = await call<ModelSummary>(page, 'labLoad', MODEL);
          const labS = { backend: 'webgpu', tokens: webgpuTokens, context, stride };
          const warm = await call<number>(page, 'labWarm', model.id, labS);
          const labP: LabPass[] = [];
          for (let i = 0; i < webgpuRuns; i++) labP.push(await call(page, 'labPass', model.id, labS));
          results.lab_webgpu = fromLab(labP, warm);
        });
      } catch (e) {
        notes.push(`lab_webgpu failed: ${(e as Error).message.slice(0, 300)}`);
      }
    }
    const outDir = path.dirname(path.resolve(a.out ?? 'bench.json'));
    const webgpu = Boolean(caps?.webgpu) && !a['skip-webgpu'];
    if (want('export')) try {
      log('variants: packed vs simulated, exports, interleaved speed');
      const v = await benchExportsAndSpeed({ browser, base, outDir, ids, settings: { tokens: Math.min(tokens, 2048), context, stride }, runs, webgpu, log });
      variantReport.export = v.export;
      variantReport.speed_packed = v.speed_packed;
      notes.push(...v.notes);
    } catch (e) {
      notes.push(`export/speed_packed failed: ${(e as Error).message.slice(0, 300)}`);
    }
    if (want('eval')) try {
      log('evaluation: KL against the base, backend agreement, bytes read back');
      const { notes: evalNotes, ...evalReport } = await benchEval({ browser, base, tokens: Math.min(tokens, 2048), context, stride, webgpu, log });
      Object.assign(variantReport, evalReport);
      notes.push(...evalNotes);
    } catch (e) {
      notes.push(`kld/backend_agreement failed: ${(e as Error).message.slice(0, 300)}`);
    }
    if (want('speed')) try {
      log('speed: prefill batch scaling and KV-cache decode');
      const sp = await benchSpeed({ browser, base, webgpu, log });
      variantReport.speed = sp.speed;
      notes.push(...sp.notes);
    } catch (e) {
      notes.push(`speed failed: ${(e as Error).message.slice(0, 300)}`);
    }
    if (want('models')) try {
      log('models: fixtures as people publish them, lab WASM vs onnxruntime-node');
      const md = await benchModels({ browser, base, log });
      variantReport.models = md.models;
      notes.push(...md.notes);
    } catch (e) {
      notes.push(`models failed: ${(e as Error).message.slice(0, 300)}`);
    }
    if (want('classification')) try {
      log('classification: the demo classifier, baseline and variants, WASM, against onnxruntime-node');
      const cl = await benchClassification({ browser, base, log });
      variantReport.classification = cl.classification;
      notes.push(...cl.notes);
    } catch (e) {
      notes.push(`classification failed: ${(e as Error).message.slice(0, 300)}`);
    }
    if (!want('scale')) notes.push('compression and scale skipped (--only)');
    else if (a['skip-scale']) notes.push('compression and scale skipped (--skip-scale)');
    else {
      log('scale: the 124 M GPT-2 shape');
      const sc = await benchScale({ browser, base, webgpu, log });
      variantReport.compression = sc.compression;
      variantReport.scale = sc.scale;
      notes.push(...sc.notes);
      // the WGSL kernels kernelSpeeds does not time (calibrated methods, global/structured pruning, calibration), same rows
      if (webgpu) await kernelSpeedsCalibrated({ browser, base, log, runs: BENCH_KERNEL_ROUNDS }).then((rows) => Object.assign(sc.compression, rows), (e) => notes.push(`compression calibrated kernel speeds failed: ${(e as Error).message.slice(0, 300)}`));
    }
  } finally {
    await browser?.close().catch(() => {});
    stopVite(vite);
  }
  if (a['skip-reliability'] || !want('reliability')) notes.push(`reliability skipped (${a['skip-reliability'] ? '--skip-reliability' : '--only'})`);
  else variantReport.reliability = benchReliability(log, port + 1);
  // the calibrated methods (Wanda, GPTQ) and their laws, in Node on the packed models (scripts/bench-calibrated.ts);
  // imported late: the engine's kernels import .wgsl files, which raw-import.mjs teaches Node to load
  if (want('calibrated')) try {
    const hooks = './raw-import.mjs';
    await import(hooks);
    const { benchCalibrated } = await import('./bench-calibrated');
    const c = await benchCalibrated(log, { tokens, port: Number(a['calibrated-port'] ?? port + 2), samples124m: a['skip-gptq-124m'] ? 0 : undefined });
    variantReport.laws = { ...(variantReport.laws as object | undefined), ...c.laws };
    variantReport.methods = { ...(variantReport.methods as object | undefined), ...c.methods };
    variantReport.calibration = c.calibration;
    notes.push(...c.notes);
  } catch (e) {
    notes.push(`calibrated methods failed: ${(e as Error).message.slice(0, 300)}`);
  }
  // every compression method and the laws, in Node on the packed models (scripts/bench-methods.ts)
  if (want('methods')) try {
    const m = await benchMethods({ tokens: Math.min(tokens, 2048), context, stride }, undefined, log);
    variantReport.laws = { ...(variantReport.laws as object | undefined), ...m.laws };
    variantReport.methods = { ...(variantReport.methods as object | undefined), ...m.methods };
    Object.assign(variantReport, { methods_model: m.methods_model, methods_settings: m.methods_settings, methods_baseline_ppl: m.methods_baseline_ppl });
  } catch (e) {
    notes.push(`methods/laws failed: ${(e as Error).message.slice(0, 300)}`);
  }

  const tps = (k: string) => results[k]?.tokensPerS ?? null;
  const ppl = (k: string) => (results[k] ? round(results[k]!.ppl, 6) : null);
  const ratio = (x: number | null, y: number | null) => (x && y ? round(x / y, 3) : null);
  const fastestBare = fastest.scored?.key ?? null;
  const fastestLogits = fastest.logits?.key ?? null;
  const ratioBare = ratio(tps('lab_wasm'), fastestBare ? tps(fastestBare) : null);
  const pairedMedian = (xs: number[] | undefined) => (xs?.length ? round(medianP90(xs).median, 3) : null);
  /** the paired ratio's spread over the rounds: every round's value, and their min and max */
  const spread = (xs: number[] | undefined) => (xs?.length ? { rounds: xs.map((x) => round(x, 3)), min: round(Math.min(...xs), 3), max: round(Math.max(...xs), 3) } : null);
  const pairedScored = pairedMedian(fastest.scored?.paired);
  if (results.lab_wasm && fastestBare && Math.abs(results.lab_wasm.ppl / results[fastestBare]!.ppl - 1) > 1e-6) {
    notes.push(`lab_wasm ppl ${results.lab_wasm.ppl} differs from ${fastestBare}'s ${results[fastestBare]!.ppl}: they should run the same graph on the same tokens`);
  }

  // agreement: every ppl against ort_node on the same tokens
  const agree: Record<string, number> = {};
  for (const k of Object.keys(results)) {
    const r = results[k];
    if (!r || !node || k === 'ort_node') continue;
    if (r.tokensScored !== node.tokensScored || r.windows !== node.windows) {
      if (k === 'lab_webgpu' && webgpuTokens !== tokens) continue;
      notes.push(`${k} scored ${r.tokensScored} tokens in ${r.windows} windows; ort_node ${node.tokensScored} in ${node.windows}`);
    }
    agree[k] = round(Math.abs(r.ppl / node.ppl - 1), 8);
  }
  if (results.lab_webgpu && webgpuTokens !== tokens) {
    delete agree.lab_webgpu;
    notes.push(`lab_webgpu ran on the first ${webgpuTokens} tokens (--webgpu-tokens; WebGPU on SwiftShader is slow), the others on ${tokens}: its ppl is not comparable with the others'`);
  }

  notes.unshift(
    'eval tokens/s = tokens fed through the model (sum of window lengths, incl. the unscored first token of each window) / wall seconds of the whole perplexity loop (session.run + reading its outputs + the NLL sum), median over the timed passes; every contestant first runs one untimed warm-up window on its already created session.',
    'ort_node: onnxruntime-node CPU EP, default threads, on public/models/brown-gpt2/onnx/model.onnx; ids from transformers.js (local files), fed to all browser contestants except the lab, which tokenizes itself (checked: same dataset token count and scored tokens).',
    'ort_web_wasm_bare*: onnxruntime-web/wasm imported directly, no lab code, wasmPaths /ort/, numThreads = navigator.hardwareConcurrency, ORT\'s default session options, model.onnx bytes fetched; *_worker in a plain module worker (the lab\'s placement), the others on the bench page\'s main thread; same windows (workers/eval/windows.ts); all bare and lab_wasm passes interleaved in rotating order over bare_rounds rounds.',
    `ort_web_wasm_bare_scored(_worker): ${BARE_WORK.scored}; its graph is appended to the fetched model.onnx bytes by e2e/harness/bare-scored.ts (onnx-proto, no lab code; tests/bare-scored-graph.test.ts: byte for byte the lab's); fastest_bare is the faster of the two, and ratio_lab_wasm_vs_bare(_paired) compare the lab with it. ort_web_wasm_bare(_worker): ${BARE_WORK.logits}; ratio_lab_wasm_vs_bare_logits_js(_paired) compare the lab with the faster of those, which does more work than the lab.`,
    'lab_wasm / lab_webgpu: LabApi.evaluate(baseline, throughputRuns 0) through comlink (lab_wasm runs onnxruntime-web/wasm in the engine worker, lab_webgpu onnxruntime-web/webgpu); timing = the engine\'s PerplexityResult.seconds (its ppl loop; excludes the comlink call and the one throughput warm-up run, both given as callSeconds). A warm-up evaluate over one window creates the session first.',
  );
  const load = os.loadavg();
  if (load[0] > os.cpus().length * 0.5) notes.push(`machine busy: load average ${load.map((x) => x.toFixed(2)).join(' ')} on ${os.cpus().length} cores (was ${loadStart.map((x) => x.toFixed(2)).join(' ')} at start): absolute speeds are noisy, ratios less so`);

  const report = {
    model: MODEL,
    dataset: DATASET,
    tokens,
    webgpu_tokens: webgpuTokens,
    context,
    stride,
    windows: windows.length,
    tokens_fed: windows.reduce((acc, w) => acc + (w.end - w.begin), 0),
    tokens_scored: node?.tokensScored ?? null,
    runs,
    webgpu_runs: webgpuRuns,
    ppl: Object.fromEntries(Object.keys(results).map((k) => [k, ppl(k)])),
    eval_tokens_per_s: Object.fromEntries(Object.keys(results).map((k) => [k, tps(k) === null ? null : round(tps(k)!, 1)])),
    /** lab_wasm tokens/s over the fastest bare configuration that does the lab's work (its evaluation graph) */
    ratio_lab_wasm_vs_bare: ratioBare,
    /** that configuration: the faster of main thread and module worker running the lab's evaluation graph (both the plain WASM build) */
    fastest_bare: fastestBare,
    /** median over rounds of (fastest bare seconds / lab seconds) in the same round: less sensitive to load drift; goal >= 0.95 */
    ratio_lab_wasm_vs_bare_paired: pairedScored,
    ratio_lab_wasm_vs_bare_paired_spread: spread(fastest.scored?.paired),
    /** the same against the fastest bare session doing other work: full logits + JS log-softmax (not like for like: the lab reads a few numbers per token) */
    fastest_bare_logits_js: fastestLogits,
    ratio_lab_wasm_vs_bare_logits_js: ratio(tps('lab_wasm'), fastestLogits ? tps(fastestLogits) : null),
    ratio_lab_wasm_vs_bare_logits_js_paired: pairedMedian(fastest.logits?.paired),
    ratio_lab_wasm_vs_bare_logits_js_paired_spread: spread(fastest.logits?.paired),
    bare_rounds: rounds,
    ratio_lab_wasm_vs_ort_node: ratio(tps('lab_wasm'), tps('ort_node')),
    ratio_lab_webgpu_vs_lab_wasm: webgpuTokens === tokens ? ratio(tps('lab_webgpu'), tps('lab_wasm')) : null,
    ppl_rel_diff_vs_ort_node: agree,
    ...variantReport,
    details: results,
    machine: {
      cores: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memGiB: round(os.totalmem() / 2 ** 30, 1),
      loadavg_start: loadStart.map((x) => round(x, 2)),
      loadavg_end: load.map((x) => round(x, 2)),
      platform: `${os.platform()} ${os.release()}`,
      node: process.version,
      onnxruntime_node: readJson(path.join(ROOT, 'node_modules/onnxruntime-node/package.json')).version,
      onnxruntime_web: readJson(path.join(ROOT, 'node_modules/onnxruntime-web/package.json')).version,
      chromium: chromiumVersion,
      ...machinePage,
      lab_capabilities: caps ?? null,
      node_tokenize_s: round(tokenizeS, 3),
      first_touch_node: measureFirstTouch(),
    },
    notes,
    finishedAt: new Date().toISOString(),
  };
  if (a.out) {
    mkdirSync(path.dirname(path.resolve(a.out)), { recursive: true });
    writeFileSync(a.out, JSON.stringify(report, null, 2) + '\n');
  }
  const f = (k: string) => (results[k] ? `${tps(k)!.toFixed(0).padStart(7)} tok/s  ppl ${results[k]!.ppl.toFixed(4)}` : '      (not run)');
  console.log(`bench ${MODEL}: ${tokens} tokens, context ${context}, stride ${stride}, ${windows.length} windows, ${runs} runs`);
  for (const k of Object.keys(results)) console.log(`  ${k.padEnd(38)} ${f(k)}`);
  const sp = report.ratio_lab_wasm_vs_bare_paired_spread;
  console.log(`  lab_wasm / ${fastestBare ?? 'bare'} (same graph) = ${ratioBare ?? 'n/a'} (paired per round: ${pairedScored ?? 'n/a'}${sp ? `, ${sp.min}-${sp.max} over ${sp.rounds.length} rounds` : ''}; goal >= 0.95), lab_wasm / ${fastestLogits ?? 'bare'} (full logits + JS log-softmax) paired ${report.ratio_lab_wasm_vs_bare_logits_js_paired ?? 'n/a'}, lab_wasm / ort_node = ${report.ratio_lab_wasm_vs_ort_node ?? 'n/a'}`);
  for (const n of notes.slice(5)) console.log(`  note: ${n}`);
  if (a.out) console.log(`  wrote ${a.out}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
