/**
 * GPTQ-4 g128 of every linear layer of the 124 M GPT-2 shape in Chromium (issue 9), for the bench's
 * "calibration" keys: the random-weight GPT-2-small (tools/make_random_model.py, git-ignored cache)
 * dropped into the lab's worker on the engine harness page (Files backed by the disk, as a user's
 * drop gives them: the weights stay in the file until read), then one makeVariant on the webgpu
 * kernel device (statistics accumulated in WGSL, capture on onnxruntime-web WASM, GPTQ's factor
 * U = chol(H⁻¹) on the CPU, f64 in WebAssembly SIMD, and its column loop in WGSL), `samples` calibration sequences of 256 tokens.
 *   gptq_124m_s                 makeVariant's wall time in the worker (calibration included)
 *   peak_rss_over_idle_bytes    sum of VmRSS over every browser process, polled from /proc by this
 *                               process (bench-rss.ts) during load + make, minus the idle page's
 * Progress events are read off the page as they come (one per calibration sequence and per
 * layer, each with the job's ETA) and logged; the time between them says where the time went.
 *
 *   npx tsx --import ./scripts/raw-import.mjs scripts/bench-gptq-124m.ts [--samples 4] [--port 5316] [--head] [--out F]
 * --head compresses the LM head too (50257 × 768; the lab's default leaves it f32).
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from '@playwright/test';
import type { ModelSummary, Progress, VariantSummary } from '../workers/api';
import { ensureRandomGpt2Small } from '../tests/random-gpt2-small';
import { rssPoller } from './bench-rss';
import { splitPoller } from './bench-smaps';
import { call, harness } from './bench-variants';
import { startVite, stopVite } from './vite-server';
import { launchChromium } from './launch-chromium';
import { onFreshPage } from './fresh-page';

/** Calibration sequences (256 tokens each) the bench uses on this shape; the UI's default is 32. */
export const GPTQ_124M_SAMPLES = 4;
const FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];

export interface Gptq124mOptions {
  port: number;
  /** calibration sequences of 256 tokens */
  samples: number;
  /** the LM head too (VariantSpec.head; the lab's default leaves it f32), as the runs before the head was opt-in did */
  head?: boolean;
  log: (s: string) => void;
}

const round = (x: number, d = 1) => Number(x.toFixed(d));

/** Logs the page's progress events as they arrive, with when (s since start) they were seen. */
function followProgress(page: Page, log: (s: string) => void) {
  const seen: (Progress & { atS: number })[] = [];
  const t0 = performance.now();
  let last = '';
  const read = async () => {
    try {
      const fresh = (await page.evaluate((from) => (window as any).harness.progress.slice(from), seen.length)) as Progress[];
      for (const p of fresh) {
        seen.push({ ...p, atS: (performance.now() - t0) / 1000 });
        const line = `${p.phase} ${p.done}/${p.total}${p.etaS !== undefined ? ` eta ${p.etaS.toFixed(0)} s` : ''} ${p.message ?? ''}`;
        if (line !== last) log(`gptq-124m: [${((performance.now() - t0) / 1000).toFixed(0)} s] ${line}`);
        last = line;
      }
    } catch {
      /* the page is busy closing */
    }
  };
  let reading = Promise.resolve();
  const timer = setInterval(() => (reading = reading.then(read)), 1000);
  return {
    seen,
    /** stops polling after one last read: the events of the make's end are kept too */
    stop: async () => {
      clearInterval(timer);
      await (reading = reading.then(read));
    },
  };
}

/**
 * `run` on a fresh engine harness page of `base` (the lab's server), closed after; once more on a
 * new page if Vite reloaded the first mid-call (it does so the first time the worker pulls in a
 * dependency it had not optimized yet).
 */
export async function onHarnessPage<T>(browser: Browser, base: string, log: (s: string) => void, run: (page: Page) => Promise<T>): Promise<T> {
  return onFreshPage(() => harness(browser, base, log), run, () => log('gptq-124m: page reloaded by Vite mid-call; once more on a fresh page'));
}

export async function benchGptq124m(o: Gptq124mOptions) {
  const { dir } = ensureRandomGpt2Small((s) => o.log(`gptq-124m: ${s}`));
  const vite = await startVite(o.port);
  const browser = await launchChromium();
  try {
    return await onHarnessPage(browser, `http://localhost:${o.port}/`, o.log, async (page) => summarize(await runGptq124m(page, dir, o), o));
  } finally {
    await browser.close().catch(() => {});
    stopVite(vite);
  }
}

/**
 * One GPTQ-4 g128 make of every linear weight of the shape in `dir`, on a harness page that is
 * idle: the model dropped as files, then makeVariant on the webgpu kernel device, browser RSS
 * polled over both and the page's progress events kept (the bench's run and e2e/gptq-124m.spec.ts's).
 */
export async function runGptq124m(page: Page, dir: string, o: Omit<Gptq124mOptions, 'port'>) {
  const f32Bytes = statSync(path.join(dir, 'onnx', 'model.onnx')).size;
  await page.waitForTimeout(2000);
  const rss = rssPoller(200);
  // what the renderer and GPU processes hold at the largest sum (smaps: shared GPU staging, the big anonymous mappings such as the WASM heap, the rest)
  const holders = splitPoller(2000);
  const progress = followProgress(page, o.log);
  let v: VariantSummary;
  let loadS: number;
  let measured: ReturnType<typeof rss.stop>;
  let heldAtPeak: ReturnType<typeof holders.stop>;
  try {
    rss.phase('load');
    let t = performance.now();
    const files = FILES.filter((f) => existsSync(path.join(dir, f)));
    // as a user's drop (like the bench's scale block): Files backed by the disk, the .onnx sent as a handle and skimmed in the worker
    await page.setInputFiles('#pick', files.map((f) => path.join(dir, f)));
    const model = await call<ModelSummary>(page, 'loadPicked', files);
    loadS = (performance.now() - t) / 1000;
    o.log(`gptq-124m: loaded ${model.linearParams} linear parameters in ${loadS.toFixed(1)} s; GPTQ-4 g128 on ${o.samples} × 256 calibration tokens`);
    rss.phase('make');
    t = performance.now();
    v = await call<VariantSummary>(page, 'makeVariant', model.id, { method: 'gptq', options: { bits: 4, groupSize: 128, samples: o.samples }, ...(o.head ? { head: true } : {}) }, 'webgpu');
  } finally {
    measured = rss.stop();
    heldAtPeak = holders.stop();
    await progress.stop();
  }
  return { f32Bytes, loadS, v, measured, heldAtPeak, progress: progress.seen };
}

/** The bench's "calibration" keys and its gptq_124m block, from a run; logs where the time and the memory went. */
function summarize({ f32Bytes, loadS, v, measured, heldAtPeak, progress }: Awaited<ReturnType<typeof runGptq124m>>, o: Gptq124mOptions) {
  const c = v.calibration!;
  const over = measured.peak - measured.idle;
  const mib = (b: number) => Math.round(b / 2 ** 20);
  for (const [name, p] of Object.entries(measured.phases)) o.log(`gptq-124m: ${name} peak +${mib(p.peak_over_idle_bytes)} MiB (${Object.entries(p.at_peak_over_idle).map(([k, b]) => `${k} ${mib(b)}`).join(', ')})`);
  // in MiB, as read at the largest renderer + GPU total (polled every 2 s, so near the RSS peak, not at it)
  const held = heldAtPeak && {
    at_s: heldAtPeak.at_s,
    ...Object.fromEntries(Object.entries(heldAtPeak.split).map(([kind, p]) => [kind, { rss: mib(p.rss), shared: mib(p.shared), big_anon: p.big_anon.map((b) => `${mib(b.bytes)} of ${mib(b.mapping_bytes)}`), other_anon: mib(p.other_anon), files: mib(p.files) }])),
  };
  if (held) o.log(`gptq-124m: held at the largest total (${held.at_s} s, MiB): ${JSON.stringify(held)}`);
  const s = (ms: number | undefined) => round((ms ?? 0) / 1000);
  // the kernel's own split per layer (TensorStats.phaseMs: U = chol(H⁻¹) in TS, then the column loop)
  const phase = (key: string) => v.tensors.reduce((sum, t) => sum + (t.phaseMs?.[key] ?? 0), 0);
  for (const t of v.tensors) o.log(`gptq-124m: ${t.name}: factor ${s(t.phaseMs?.factor)} s, loop ${s(t.phaseMs?.loop)} s`);
  return {
    gptq_124m_s: s(v.makeMs),
    peak_rss_over_idle_bytes: over,
    gptq_124m: {
      f32_bytes: f32Bytes,
      peak_over_idle_per_f32_file: round(over / f32Bytes, 3),
      load_s: round(loadS),
      layers: v.tensors.length,
      lm_head: !!o.head,
      calibration: { sequences: c.sequences, context: c.context, tokens: c.sequences * c.context, passes: c.passes, first_token: c.firstToken },
      where_the_time_went_s: {
        calibration: s(c.ms),
        capture_wasm: s(c.captureMs),
        accumulate_wgsl: s(c.accumulateMs),
        open_capture_sessions: s(c.openMs),
        gptq_kernel: s(v.kernelMs),
        gptq_factor_ts: s(phase('factor')),
        gptq_column_loop: s(phase('loop')),
        rest: round((v.makeMs - c.ms - v.kernelMs) / 1000),
      },
      bits_per_weight: round(v.bitsPerWeight, 4),
      format: v.format,
      progress_events: progress.length,
      phases: measured.phases,
      held_at_largest_total_mib: held,
      how: 'makeVariant of GPTQ 4-bit g128 on every linear weight (webgpu kernel device: Xᵀ X in WGSL, capture on onnxruntime-web WASM in the worker, U = chol(H⁻¹) on the CPU in f64 (WebAssembly SIMD since 09f7db1, TS before), column loop in WGSL; per layer in TensorStats.phaseMs), wall time in the worker; RSS = sum of VmRSS of every browser process, polled every 200 ms from /proc during load + make, over the idle harness page; held_at_largest_total_mib: the renderer and GPU processes read from /proc/<pid>/smaps every 2 s (bench-smaps.ts), split at the largest total into shared memory (WebGPU staging, counted in both processes), each anonymous mapping of 16 MiB or more (resident of mapped: the WASM heap, big ArrayBuffers), the other anonymous memory and file mappings',
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, samples: { type: 'string', default: String(GPTQ_124M_SAMPLES) }, port: { type: 'string', default: process.env.LAB_PORT ?? '5316' }, head: { type: 'boolean', default: false } } });
  benchGptq124m({ port: Number(values.port), samples: Number(values.samples), head: values.head, log: (s) => console.error(`[bench] ${s}`) }).then((r) => {
    const text = JSON.stringify(r, null, 2) + '\n';
    if (values.out) writeFileSync(values.out, text);
    else process.stdout.write(text);
  });
}
