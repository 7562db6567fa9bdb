/**
 * The kernel-speed harness (e2e/harness/kernel-speed.html) by hand, without the rest of the bench:
 *   npx tsx scripts/kernel-speed.ts [--port 5314] [--runs 3] [--only fp16] [--shape 50257x768] [--debug] [--floor] [--check]
 * prints each row (and, with --debug / --floor, the page's phase and floor lines) as JSON.
 * --check first runs the kernel harness's cases whose name holds --only (e2e/harness/kernels.html,
 * WGSL against the TS reference) and prints their mismatch counts.
 */
import { parseArgs } from 'node:util';
import { startVite, stopVite } from './vite-server';
import { launchChromium } from './launch-chromium';

const { values: a } = parseArgs({
  options: {
    port: { type: 'string', default: '5314' },
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
    debug: { type: 'boolean', default: false },
    floor: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    shape: { type: 'string' },
  },
});

const vite = await startVite(Number(a.port));
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  // WebGPU validation errors reach the console only
  page.on('console', (m) => ['error', 'warning'].includes(m.type()) && console.error(`[console ${m.type()}] ${m.text().slice(0, 300)}`));
  if (a.check) {
    await page.goto(`http://localhost:${a.port}/e2e/harness/kernels.html?only=${encodeURIComponent(a.only ?? '')}`, { timeout: 300_000 });
    await page.waitForFunction(() => (window as any).__kernels?.done === true, null, { timeout: 900_000, polling: 500 });
    const r = await page.evaluate(() => (window as any).__kernels);
    if (r.error) console.log(`kernels harness error: ${r.error}`);
    for (const c of r.cases) {
      console.log(`${c.name}: codes ${c.codeMismatches}, params ${c.paramMismatches}, float bits ${c.floatBitMismatches}, stats Δ ${c.statsRelError}, parts ${c.gpuParts} / ${c.cpuParts}${c.error ? `, error ${c.error}` : ''}`);
    }
  }
  const q = new URLSearchParams({ runs: a.runs! });
  if (a.only) q.set('only', a.only);
  if (a.shape) q.set('shape', a.shape);
  if (a.debug) q.set('debug', '1');
  if (a.floor) q.set('floor', '1');
  await page.goto(`http://localhost:${a.port}/e2e/harness/kernel-speed.html?${q}`, { timeout: 300_000 });
  await page.waitForFunction(() => (window as any).__kernelSpeed?.done === true, null, { timeout: 900_000, polling: 500 });
  console.log(JSON.stringify(await page.evaluate(() => (window as any).__kernelSpeed), null, 1));
  console.log(await page.evaluate(() => document.getElementById('log')!.textContent));
} finally {
  await browser.close();
  stopVite(vite);
}
