/**
 * The kernel-speed rows kernel-speed.html does not give (e2e/harness/kernel-speed-calibrated.ts):
 * global-prune, Wanda, SparseGPT, GPTQ (plain and masked), AWQ, structured-prune's norms and the
 * calibration accumulators, WGSL against TS, as rows of the bench's "compression" object (the
 * shape of kernelSpeeds' rows in bench-variants.ts). By hand, without the rest of the bench:
 *   npx tsx scripts/bench-kernel-calibrated.ts [--port 5320] [--runs 3] [--only sparsegpt]
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { Browser } from '@playwright/test';
import type { CalibratedSpeedRow } from '../e2e/harness/kernel-speed-calibrated';
import { startVite, stopVite } from './vite-server';
import { launchChromium } from './launch-chromium';
import { kernelSpeedEntry, kernelSpeedLine } from './kernel-speed-entry';

export interface CalibratedSpeedOptions {
  browser: Browser;
  base: string;
  log: (s: string) => void;
  runs?: number;
  only?: string;
  /** print the page's console (by hand, while profiling a kernel) */
  consoleLog?: boolean;
}


export async function kernelSpeedsCalibrated(o: CalibratedSpeedOptions): Promise<Record<string, unknown>> {
  const page = await o.browser.newPage();
  page.on('pageerror', (e) => o.log(`[page error] ${e.message}`));
  if (o.consoleLog) page.on('console', (m) => o.log(`[page] ${m.text()}`));
  // Vite's dev client would reload the page when another session edits a source file
  await page.routeWebSocket(() => true, () => {});
  const started = performance.now();
  try {
    o.log('compression: kernel times of the calibrated methods, global/structured pruning and calibration, WGSL vs TS');
    const q = new URLSearchParams({ runs: String(o.runs ?? 3) });
    if (o.only) q.set('only', o.only);
    await page.goto(`${o.base}e2e/harness/kernel-speed-calibrated.html?${q}`, { timeout: 300_000 });
    await page.waitForFunction(() => (window as any).__kernelSpeedCalibrated?.done === true, null, { timeout: 1_200_000, polling: 1000 });
    const r = (await page.evaluate(() => (window as any).__kernelSpeedCalibrated)) as { adapter?: string; rows?: CalibratedSpeedRow[]; error?: string };
    if (r.error) throw new Error(r.error);
    const out: Record<string, unknown> = {};
    for (const row of r.rows ?? []) {
      o.log(kernelSpeedLine(row.key, row));
      out[row.key] = kernelSpeedEntry(row, r.adapter, `${row.timed}; median of interleaved WGSL/TS rounds after one warm-up each (e2e/harness/kernel-speed-calibrated.ts); synthetic calibration statistics of 1,024 correlated activation rows × 768`);
    }
    o.log(`compression: calibrated kernel rows took ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return out;
  } finally {
    await page.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values: a } = parseArgs({ options: { port: { type: 'string', default: '5320' }, runs: { type: 'string', default: '3' }, only: { type: 'string' }, console: { type: 'boolean', default: false } } });
  const vite = await startVite(Number(a.port));
  const browser = await launchChromium();
  try {
    const rows = await kernelSpeedsCalibrated({ browser, base: `http://localhost:${a.port}/`, log: (s) => console.log(s), runs: Number(a.runs), only: a.only, consoleLog: a.console });
    console.log(JSON.stringify(rows, null, 1));
  } finally {
    await browser.close();
    stopVite(vite);
  }
}
