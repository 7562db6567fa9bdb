/**
 * SparseGPT in real Chromium WebGPU (SwiftShader without a GPU): sparsegpt.wgsl, which runs the
 * whole OBS column loop with a thread per output row, equals sparseGptReference — masks byte for
 * byte, every pruned or updated weight bit for bit, the calibration loss within 1e-6 relative —
 * on the cases of e2e/harness/sparsegpt.ts. To debug one, open /e2e/harness/sparsegpt.html in the dev server.
 */
import { expect, test } from '@playwright/test';
import type { SparseGptReport } from './harness/sparsegpt';

test('SparseGPT WGSL equals its TS reference on WebGPU', async ({ page }) => {
  test.setTimeout(3 * 60_000);
  // a WGSL error shows as a console warning, and the kernel then returns whatever its buffers held
  const gpuMessages: string[] = [];
  page.on('console', (m) => {
    if (/WGSL|Invalid|validation/i.test(m.text())) gpuMessages.push(m.text());
  });
  await page.goto('/e2e/harness/sparsegpt.html');
  await page.waitForFunction(() => window.__sparsegpt?.done === true, undefined, { timeout: 150_000, polling: 500 });
  const report: SparseGptReport = await page.evaluate(() => window.__sparsegpt);
  console.log(`adapter: ${report.adapter}`);
  for (const c of report.cases) {
    console.log(`${c.name.padEnd(58)} n ${String(c.n).padStart(6)}  masks differ ${c.maskMismatches}  float bits differ ${c.bitMismatches}  loss rel ${c.lossRelError.toExponential(1)}  sparsity ${c.sparsity.toFixed(3)}  gpu ${c.gpuMs.toFixed(0)} ms cpu ${c.cpuMs.toFixed(0)} ms`);
  }
  expect(gpuMessages).toEqual([]);
  expect(report.error).toBeUndefined();
  expect(report.cases.length).toBe(20);
  for (const c of report.cases) {
    expect.soft(c.error, `${c.name}: threw`).toBeUndefined();
    expect.soft(c.maskMismatches, `${c.name}: masks`).toBe(0);
    expect.soft(c.bitMismatches, `${c.name}: pruned and updated floats`).toBe(0);
    expect.soft(c.maxRelError, `${c.name}: relative error`).toBeLessThanOrEqual(1e-6);
    expect.soft(c.lossRelError, `${c.name}: calibration loss`).toBeLessThanOrEqual(1e-6);
  }
});
