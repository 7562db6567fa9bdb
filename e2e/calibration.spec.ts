/**
 * Calibration kernels in real Chromium WebGPU (SwiftShader without a GPU): the WGSL Hessian and
 * column-norm accumulators equal their TS reference (accumulate.ts) over several batches within
 * 1e-6 relative, the WGSL Hessian accumulated twice over the same sequences is the same bit for
 * bit (calibration is deterministic on the GPU path too), and Wanda's WGSL mask equals its
 * reference byte for byte. To debug a case, open
 * /e2e/harness/calibration.html in the dev server.
 */
import { expect, test } from '@playwright/test';
import type { CalibrationReport } from './harness/calibration';

test('calibration accumulators and Wanda equal their TS references on WebGPU', async ({ page }) => {
  test.setTimeout(3 * 60_000);
  await page.goto('/e2e/harness/calibration.html');
  await page.waitForFunction(() => window.__calibration?.done === true, undefined, { timeout: 150_000, polling: 500 });
  const report: CalibrationReport = await page.evaluate(() => window.__calibration);
  console.log(`adapter: ${report.adapter}`);
  for (const c of report.cases) console.log(`${c.name.padEnd(56)} n ${String(c.n).padStart(6)}  float bits differ ${c.bitMismatches}  masks differ ${c.maskMismatches}  max rel ${c.maxRelError}  ${c.ms} ms`);
  expect(report.error).toBeUndefined();
  expect(report.cases.length).toBe(35);
  for (const c of report.cases) {
    expect.soft(c.error, `${c.name}: threw`).toBeUndefined();
    expect.soft(c.maskMismatches, `${c.name}: masks`).toBe(0);
    if (c.name.startsWith('wanda')) expect.soft(c.bitMismatches, `${c.name}: pruned floats`).toBe(0);
    if (c.name.startsWith('twice')) expect.soft(c.bitMismatches, `${c.name}: the second run's Hessian`).toBe(0);
    if (c.name.startsWith('together')) expect.soft(c.bitMismatches, `${c.name}: read together vs alone`).toBe(0);
    expect.soft(c.maxRelError, `${c.name}: relative error`).toBeLessThanOrEqual(1e-6);
  }
});
