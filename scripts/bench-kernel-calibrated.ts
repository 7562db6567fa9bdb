/**
 * The kernel-speed rows kernel-speed.html does not give (e2e/harness/kernel-speed-calibrated.ts):
 * global-prune, Wanda, SparseGPT, GPTQ (plain and masked), AWQ, structured-prune's norms and the
 * calibration accumulators, WGSL against TS, as rows of the bench's "compression" object (the
 * shape of kernelSpeeds' rows in bench-variants.ts). By hand, without the rest of the bench:
 *   npx tsx scripts/bench-kernel-calibrated.ts [--port 5320] [--runs 9] [--only sparsegpt] [--cpu]
 * --cpu (Linux) also logs each row's CPU time per round, WGSL (the GPU process, where SwiftShader
 * runs the kernels, plus the page's renderer, which uploads) against TS (the renderer), from
 * /proc (scripts/browser-cpu.ts): which path does more work, whatever the machine's load.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { Browser } from '@playwright/test';
import type { CalibratedSpeedRow } from '../e2e/harness/kernel-speed-calibrated';
import { startVite, stopVite } from './vite-server';
import { launchChromium } from './launch-chromium';
import { BENCH_KERNEL_ROUNDS, kernelSpeedEntry, kernelSpeedLine } from './kernel-speed-entry';
import { browserCpuReader, type BrowserCpu } from './browser-cpu';

export interface CalibratedSpeedOptions {
  browser: Browser;
  base: string;
  log: (s: string) => void;
  runs?: number;
  only?: string;
  /** print the page's console (by hand, while profiling a kernel) */
  consoleLog?: boolean;
  /** log each row's CPU time per round by path (by hand, Linux: browser-cpu.ts) */
  cpu?: boolean;
}

/** Each row's CPU time by path, summed over its timed rounds (the page marks each round's start and end). */
function cpuAccounting(log: (s: string) => void) {
  const read = browserCpuReader();
  const spent = new Map<string, { rounds: number } & BrowserCpu>();
  let at: BrowserCpu | undefined;
  return {
    mark(key: string, path: string, phase: string): void {
      const now = read();
      if (phase === 'start') {
        at = now;
        return;
      }
      const s = spent.get(`${key} ${path}`) ?? { rounds: 0, gpu: 0, renderer: 0 };
      spent.set(`${key} ${path}`, { rounds: s.rounds + 1, gpu: s.gpu + now.gpu - at!.gpu, renderer: s.renderer + now.renderer - at!.renderer });
    },
    report(keys: readonly string[]): void {
      for (const key of keys) {
        const w = spent.get(`${key} wgsl`);
        const t = spent.get(`${key} ts`);
        if (!w || !t) continue;
        const per = (x: number, n: number) => (x / n).toFixed(0);
        const wgsl = (w.gpu + w.renderer) / w.rounds;
        const ts = (t.gpu + t.renderer) / t.rounds;
        log(`compression: ${key} CPU ms a round (mean of ${w.rounds}): wgsl ${wgsl.toFixed(0)} (GPU process ${per(w.gpu, w.rounds)} + renderer ${per(w.renderer, w.rounds)}), ts ${ts.toFixed(0)} (renderer ${per(t.renderer, t.rounds)}, GPU process ${per(t.gpu, t.rounds)}) (x${(wgsl / ts).toFixed(2)})`);
      }
    },
  };
}


export async function kernelSpeedsCalibrated(o: CalibratedSpeedOptions): Promise<Record<string, unknown>> {
  const page = await o.browser.newPage();
  page.on('pageerror', (e) => o.log(`[page error] ${e.message}`));
  if (o.consoleLog) page.on('console', (m) => o.log(`[page] ${m.text()}`));
  const cpu = o.cpu ? cpuAccounting(o.log) : undefined;
  if (cpu) await page.exposeFunction('__cpuMark', (key: string, path: string, phase: string) => cpu.mark(key, path, phase));
  // Vite's dev client would reload the page when another session edits a source file
  await page.routeWebSocket(() => true, () => {});
  const started = performance.now();
  try {
    o.log('compression: kernel times of the calibrated methods, global/structured pruning and calibration, WGSL vs TS');
    const q = new URLSearchParams({ runs: String(o.runs ?? BENCH_KERNEL_ROUNDS) });
    if (o.only) q.set('only', o.only);
    if (cpu) q.set('cpu', '1');
    await page.goto(`${o.base}e2e/harness/kernel-speed-calibrated.html?${q}`, { timeout: 300_000 });
    await page.waitForFunction(() => (window as any).__kernelSpeedCalibrated?.done === true, null, { timeout: 1_200_000, polling: 1000 });
    const r = (await page.evaluate(() => (window as any).__kernelSpeedCalibrated)) as { adapter?: string; rows?: CalibratedSpeedRow[]; error?: string };
    if (r.error) throw new Error(r.error);
    const out: Record<string, unknown> = {};
    for (const row of r.rows ?? []) {
      o.log(kernelSpeedLine(row.key, row));
      out[row.key] = kernelSpeedEntry(row, r.adapter, `${row.timed}; median of interleaved WGSL/TS rounds after one warm-up each (e2e/harness/kernel-speed-calibrated.ts); synthetic calibration statistics of 1,024 correlated activation rows × 768`);
    }
    cpu?.report((r.rows ?? []).map((row) => row.key));
    o.log(`compression: calibrated kernel rows took ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return out;
  } finally {
    await page.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values: a } = parseArgs({ options: { port: { type: 'string', default: '5320' }, runs: { type: 'string', default: String(BENCH_KERNEL_ROUNDS) }, only: { type: 'string' }, console: { type: 'boolean', default: false }, cpu: { type: 'boolean', default: false } } });
  const vite = await startVite(Number(a.port));
  const browser = await launchChromium();
  try {
    const rows = await kernelSpeedsCalibrated({ browser, base: `http://localhost:${a.port}/`, log: (s) => console.log(s), runs: Number(a.runs), only: a.only, consoleLog: a.console, cpu: a.cpu });
    console.log(JSON.stringify(rows, null, 1));
  } finally {
    await browser.close();
    stopVite(vite);
  }
}
