/**
 * `npm run lab -- --model demo-lm --preset seed-grid --backends wasm --out results/`
 * `npm run lab -- --model demo-classifier --preset bit-width --text my-examples.jsonl`
 *
 * The lab's report from the command line, made by the very page and engine worker a person uses:
 * a Vite server in this process serves the app, headless Chromium opens it with the setup as a
 * link (?setup=, as "Link to this setup" makes it), loads the model, presses Run, prints each job
 * as it ends, and saves what the page's own download buttons give: results.json, results.csv,
 * report.html, report.md and every panel as PNG. `--text` evaluates on a .txt as dropping it on
 * the page's "evaluation text" picker does (for a classifier: a .jsonl of labelled examples, as its
 * "labelled examples" picker takes). `demo-classifier` is the page's "Demo classifier" button:
 * its report (accuracy, macro and per-label F1, confusion matrix) lands in the same files. Exits non-zero with a message naming the problem when the
 * model cannot be loaded or a job fails; the browser and the server are closed on every path,
 * Ctrl-C included. Schema of results.json: docs/results-json.md.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { basename, join, relative, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { BACKENDS, type Backend } from '../workers/api';
import { applyPreset, PRESETS, presetById, type PresetModel } from '../src/lib/presets';
import { blockCount } from '../workers/model/blocks';
import { setupUrl } from '../src/lib/share';
import { defaultSpec, metaOf, specLabel, uniqueSpecs } from '../src/lib/specs';
import { DEFAULT_SETTINGS, type RunSettings } from '../src/store/types';
// @ts-expect-error plain .mjs helper shared with the test runner
import { findChromium } from './find-chromium.mjs';

const USAGE = `usage: npm run lab -- --model <folder | demo-lm | demo-classifier> (--preset <name> | --variants <method,…>) [--backends wasm,webgpu] [--tokens N] [--text FILE.txt] [--out DIR] [--head] [--plan-only] [--url URL]
  presets: ${PRESETS.map((p) => p.id).join(', ')}
  --variants: method ids with their default options, e.g. int8-channel,fp16
  --tokens: evaluation tokens per backend (default: the lab's defaults)
  --model: demo-lm is the built-in demo LM the page opens with (public/models/brown-gpt2-tiny),
           demo-classifier the built-in genre classifier (public/models/brown-bert-genre)
  --text: evaluate on this UTF-8 .txt instead of the built-in text (as a .txt dropped on the page);
          for a classifier a .jsonl, one {"text", "label"} per line, instead of the built-in examples
  --out: where results.json, results.csv, report.html, report.md and the panels' PNGs go (default lab-out)
  --head: also compress the LM head in every variant (left f32 by default; the seed-grid, bit-width and
          pruning-curve presets take it already)
  --plan-only: load the model, print the variants the run would make, write settings.json, stop
  --url: use the lab already served there (e.g. a running \`npm run dev\`) instead of starting Vite;
         the run still starts and closes its own browser`;

class CliError extends Error {}

/** Models the page has built in: demo-lm opens with the page, demo-classifier is its button. */
const DEMOS = ['demo-lm', 'demo-classifier'];

interface Args { model: string; preset?: string; variants?: string; backends: Backend[]; tokens?: number; text?: string; out: string; planOnly: boolean; head?: boolean; url?: string }

export function parseArgs(argv: string[]): Args {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new CliError(`--${name} needs a value`);
    return v;
  };
  const known = new Set(['--model', '--preset', '--variants', '--backends', '--tokens', '--text', '--out', '--plan-only', '--head', '--url']);
  const unknown = argv.filter((a) => a.startsWith('--') && !known.has(a));
  if (unknown.length) throw new CliError(`unknown option ${unknown.join(', ')}`);
  const model = get('model');
  if (!model) throw new CliError('--model is required');
  const backends = (get('backends') ?? 'wasm').split(',').map((b) => b.trim()) as Backend[];
  const bad = backends.filter((b) => !BACKENDS.includes(b));
  if (bad.length) throw new CliError(`unknown backend ${bad.join(', ')}; choose from ${BACKENDS.join(', ')}`);
  const tokensText = get('tokens');
  const tokens = tokensText === undefined ? undefined : Number(tokensText);
  if (tokens !== undefined && !(Number.isInteger(tokens) && tokens >= 16)) throw new CliError(`--tokens must be an integer of at least 16, got ${tokensText}`);
  const preset = get('preset');
  const variants = get('variants');
  if (!preset && !variants) throw new CliError('give --preset or --variants');
  const url = get('url');
  if (url !== undefined && !/^https?:\/\//.test(url)) throw new CliError(`--url must be an http(s) address, got ${url}`);
  return { model, preset, variants, backends, tokens, text: get('text'), out: get('out') ?? 'lab-out', planOnly: argv.includes('--plan-only'), ...(argv.includes('--head') ? { head: true } : {}), ...(url ? { url: url.replace(/\/+$/, '') } : {}) };
}

/**
 * The run settings the arguments ask for, with what a preset had to leave out. `model`: the loaded
 * model's shape; without it per-block entries (layer sensitivity) cannot be planned yet, so the
 * settings are worked out again once the page has loaded the model.
 */
export function settingsFor(a: Args, model?: PresetModel): { settings: RunSettings; missing: string[] } {
  const specs = [];
  const missing: string[] = [];
  if (a.preset) {
    const p = presetById(a.preset);
    if (!p) throw new CliError(`unknown preset "${a.preset}"; choose from ${PRESETS.map((x) => x.id).join(', ')}`);
    const r = applyPreset(p, undefined, model);
    specs.push(...r.specs);
    missing.push(...r.missing);
  }
  for (const id of (a.variants ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const meta = metaOf(id);
    if (!meta) throw new CliError(`unknown method "${id}"`);
    specs.push(defaultSpec(meta));
  }
  const tokens = a.tokens ? { wasm: a.tokens, webgpu: a.tokens } : DEFAULT_SETTINGS.tokens;
  const variants = a.head ? uniqueSpecs(specs.map((s) => ({ ...s, head: true }))) : specs;
  return { settings: { ...DEFAULT_SETTINGS, variants, backends: a.backends, tokens, device: a.backends.includes('webgpu') ? 'webgpu' : 'cpu' }, missing };
}

const freePort = () => new Promise<number>((ok, fail) => {
  const s = netServer().listen(0, 'localhost', () => {
    const port = (s.address() as { port: number }).port;
    s.close(() => ok(port));
  }).on('error', fail);
});

function modelFiles(folder: string): string[] {
  const root = resolve(folder);
  let stat;
  try {
    stat = statSync(root);
  } catch {
    throw new CliError(`model folder ${folder} does not exist`);
  }
  if (!stat.isDirectory()) throw new CliError(`--model ${folder} is not a folder (give a model folder or demo-lm)`);
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  // every file, as a dropped folder gives them: the page's loader says what is missing or wrong
  const files = walk(root).filter((f) => !relative(root, f).split('/').some((part) => part.startsWith('.')));
  if (files.length === 0) throw new CliError(`model folder ${folder} is empty`);
  return files;
}

type Store = { getState: () => Record<string, unknown> };
const state = <T>(page: Page, key: string) =>
  page.evaluate((k) => (window as unknown as { __lab: { store: Store } }).__lab.store.getState()[k], key) as Promise<T>;

async function download(page: Page, click: () => Promise<void>, to: string) {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  await d.saveAs(to);
}

interface JsonRow {
  label: string;
  evals: Record<string, { perplexity: { ppl: number; tokensScored: number; dataset: string } }>;
  classifications?: { settings: { backend: string }; dataset: string; examples: number; accuracy: number; macroF1: number }[];
}

/** One line per row and backend with its headline number and what it was measured on (results.json's). */
export function summary(json: { rows: JsonRow[] }): string[] {
  return json.rows.flatMap((r) => [
    ...Object.entries(r.evals).map(([b, e]) => `${r.label} · ${b}: perplexity ${e.perplexity.ppl.toFixed(2)} (${e.perplexity.tokensScored} tokens of ${e.perplexity.dataset})`),
    ...(r.classifications ?? []).map((c) => `${r.label} · ${c.settings.backend}: accuracy ${(c.accuracy * 100).toFixed(1)} %, macro F1 ${c.macroF1.toFixed(3)} (${c.examples} examples of ${c.dataset})`),
  ]);
}

async function run(a: Args, say: (s: string) => void): Promise<number> {
  // checks the arguments before anything starts; the plan itself waits for the model (below)
  const first = settingsFor(a);
  const files = DEMOS.includes(a.model) ? [] : modelFiles(a.model);
  const text = a.text === undefined ? undefined : (() => {
    try {
      return { name: basename(a.text), mimeType: a.text.endsWith('.jsonl') ? 'application/jsonl' : 'text/plain', buffer: readFileSync(a.text) };
    } catch (e) {
      throw new CliError(`--text ${a.text}: ${(e as Error).message}`);
    }
  })();
  mkdirSync(a.out, { recursive: true });
  let server: ViteDevServer | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
  };
  const onSignal = () => void stop().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // a served lab (--url) is used as is; otherwise this run serves the app itself
    let origin = a.url;
    if (!origin) {
      process.env.LAB_E2E = '1'; // no file watching: nothing reloads the page under the run
      const port = await freePort();
      server = await createServer({ configFile: resolve('vite.config.ts'), logLevel: 'error', server: { port, strictPort: true } });
      await server.listen();
      origin = `http://localhost:${port}`;
    } else say(`using the lab at ${origin}`);
    browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: [
      '--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run',
      // ignored by Chromium; lets a test find this run's browser processes (none may outlive the run)
      `--lab-cli-out=${resolve(a.out)}`,
    ] });
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const base = `${origin}/${a.backends.includes('webgpu') ? '' : '?nogpu=1'}`;
    // the dev server transforms the app on first request: on a busy machine that takes longer than goto's default 30 s
    await page.goto(setupUrl(first.settings, base), { timeout: 180_000 });
    await page.getByTestId('model-card').waitFor({ timeout: 180_000 }).catch(() => { throw new CliError(`the lab did not load the demo model within 3 minutes${errors.length ? `: ${errors.join('; ')}` : ''}`); });
    if (files.length) {
      say(`loading ${files.length} files from ${a.model}`);
      await page.getByTestId('file-input').setInputFiles(files);
      const name = await page.getByTestId('model-name').innerText();
      // done when the new model is in, or when loading ended with an error (then the banner says why)
      await page.waitForFunction((before) => {
        const st = (window as unknown as { __lab: { store: Store } }).__lab.store.getState();
        const failed = (st.notices as { kind: string }[] | undefined)?.some((n) => n.kind === 'error');
        return !st.loading && ((st.model as { name?: string } | undefined)?.name !== before || failed);
      }, name, { timeout: 300_000 }).catch(async () => {
        const banners = await page.getByTestId('error-banner').allInnerTexts();
        throw new CliError(`could not load the model from ${a.model}: ${banners.join('; ') || 'it did not load within 5 minutes'}`);
      });
      const banners = await page.getByTestId('error-banner').allInnerTexts();
      if (banners.length) throw new CliError(`could not load the model from ${a.model}: ${banners.join('; ')}`);
    }
    if (a.model === 'demo-classifier') {
      say('loading the demo classifier');
      await page.getByTestId('demo-classifier').click();
      await page.waitForFunction(() => {
        const st = (window as unknown as { __lab: { store: Store } }).__lab.store.getState();
        return !st.loading && (st.model as { task?: string } | undefined)?.task === 'sequence-classification';
      }, undefined, { timeout: 300_000 }).catch(async () => {
        const banners = await page.getByTestId('error-banner').allInnerTexts();
        throw new CliError(`could not load the demo classifier: ${banners.join('; ') || 'it did not load within 5 minutes'}`);
      });
    }
    const classifier = (await state<{ task?: string }>(page, 'model')).task === 'sequence-classification';
    if (text) {
      // the page's own picker (evaluation text, or a classifier's labelled examples): it refuses
      // what it cannot use and says why
      const id = classifier ? 'examples' : 'eval-text';
      await page.getByTestId(`${id}-file`).setInputFiles(text);
      // done when the picker names the file, or refused it
      await page.waitForFunction(([i, n]) => document.querySelector(`[data-testid=${i}-name]`)?.textContent === n || !!document.querySelector(`[data-testid=${i}-error]`), [id, text.name], { timeout: 60_000 }).catch(() => {});
      const refused = await page.getByTestId(`${id}-error`).allInnerTexts();
      if (refused.length) throw new CliError(`--text ${a.text}: ${refused.join('; ')}`);
      if ((await page.getByTestId(`${id}-name`).innerText()) !== text.name) throw new CliError(`--text ${a.text}: the page did not take the ${classifier ? 'examples' : 'text'} within a minute`);
      say(`${classifier ? 'labelled examples' : 'evaluation text'}: ${text.name} (${text.buffer.length} bytes)`);
    }
    const model = await page.getByTestId('model-name').innerText();
    // a preset is applied to the model now loaded: per-block entries need its block count
    const loaded = await state<{ linearWeights: { name: string; node?: string }[] }>(page, 'model');
    const { settings, missing } = settingsFor(a, { blocks: blockCount(loaded.linearWeights) });
    if (missing.length) say(`preset: left out: ${missing.join(', ')}`);
    await page.evaluate((variants) => (window as unknown as { __lab: { store: { getState: () => { patchSettings: (p: object) => void } } } }).__lab.store.getState().patchSettings({ variants }), settings.variants);
    const planned = (await state<RunSettings>(page, 'settings')).variants;
    if (JSON.stringify(planned) !== JSON.stringify(settings.variants)) throw new CliError(`the page did not take the plan (${planned.length} variants instead of ${settings.variants.length})`);
    writeFileSync(join(a.out, 'settings.json'), JSON.stringify(settings, null, 2));
    say(`model ${model}; ${planned.length} variants on ${a.backends.join(', ')}`);
    if (a.planOnly) {
      settings.variants.forEach((v, i) => say(`  ${i + 1}. ${specLabel(v)}`));
      say(`plan only: wrote ${a.out}/settings.json, nothing run`);
      return 0;
    }
    await page.getByTestId('run-button').click();
    const reported = new Set<string>();
    for (;;) {
      const jobs = await state<{ id: string; label: string; status: string; error?: string; startedAt?: number; endedAt?: number }[]>(page, 'jobs');
      jobs.forEach((j, i) => {
        if (['queued', 'running'].includes(j.status) || reported.has(j.id)) return;
        reported.add(j.id);
        const s = j.startedAt && j.endedAt ? ` (${((j.endedAt - j.startedAt) / 1000).toFixed(1)} s)` : '';
        say(`[${i + 1}/${jobs.length}] ${j.label}: ${j.status}${s}${j.error ? ` — ${j.error}` : ''}`);
      });
      if (!(await state<boolean>(page, 'running')) && jobs.length > 0 && jobs.every((j) => !['queued', 'running'].includes(j.status))) break;
      await page.waitForTimeout(500);
    }
    const jobs = await state<{ label: string; status: string; error?: string }[]>(page, 'jobs');
    // the page draws from a deferred copy: let the last result reach the table
    await page.waitForTimeout(500);
    await download(page, () => page.getByTestId('export-json').click(), join(a.out, 'results.json'));
    await download(page, () => page.getByTestId('export-csv').click(), join(a.out, 'results.csv'));
    await download(page, () => page.getByTestId('export-report').click(), join(a.out, 'report.html'));
    await download(page, () => page.getByTestId('export-report-md').click(), join(a.out, 'report.md'));
    for (const panel of await page.locator('[data-panel]').all()) {
      const id = await panel.getAttribute('data-panel');
      if ((await panel.getByTestId('save-png').count()) === 0) continue;
      await download(page, () => panel.getByTestId('save-png').click(), join(a.out, `${id}.png`));
    }
    say(`wrote ${a.out}/results.json, results.csv, report.html, report.md and the panels' PNGs`);
    summary(JSON.parse(readFileSync(join(a.out, 'results.json'), 'utf8'))).forEach((l) => say(`  ${l}`));
    const bad = jobs.filter((j) => j.status !== 'done');
    if (bad.length) {
      console.error(`lab: ${bad.length} job${bad.length === 1 ? '' : 's'} did not finish:\n${bad.map((j) => `  ${j.label}: ${j.status}${j.error ? ` — ${j.error}` : ''}`).join('\n')}`);
      return 1;
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stop();
  }
}

async function main() {
  const say = (s: string) => console.log(`lab: ${s}`);
  try {
    process.exitCode = await run(parseArgs(process.argv.slice(2)), say);
  } catch (e) {
    console.error(`lab: ${(e as Error).message}`);
    if (e instanceof CliError && /required|give --|unknown option|needs a value/.test(e.message)) console.error(USAGE);
    process.exitCode = e instanceof CliError ? 2 : 1;
  }
}

await main();
