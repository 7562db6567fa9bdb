/**
 * Compression kernels in real Chromium WebGPU (SwiftShader without a GPU): the WGSL of every
 * method must equal its TS reference on the harness's tensors (e2e/harness/kernels.ts) —
 * codes, masks, scales and zero points byte for byte, dequantized floats within 1e-6 relative,
 * the tensor stats within 1e-5 relative.
 * A mismatch names the case (method, options, shape, layout, fill). To debug one, open
 * /e2e/harness/kernels.html?only=<part of the name> in the dev server and compare the kernel
 * with the reference it names in its header comment.
 */
import { expect, test } from '@playwright/test';
import type { KernelReport } from './harness/kernels';

const REL_TOL = 1e-6;
const STATS_REL_TOL = 1e-5;

test('every compression kernel equals its TS reference', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.goto('/e2e/harness/kernels.html');
  await page.waitForFunction(() => window.__kernels?.done === true, undefined, { timeout: 4 * 60_000, polling: 500 });
  const report: KernelReport = await page.evaluate(() => window.__kernels);
  console.log(`adapter: ${report.adapter}`);
  for (const c of report.cases) {
    const ratio = c.cpuMs > 0 ? (c.gpuMs / c.cpuMs).toFixed(2) : '-';
    const runs = c.timedRuns > 1 ? ` (median of ${c.timedRuns}, interleaved)` : '';
    console.log(`${c.name.padEnd(64)} gpu ${c.gpuMs.toFixed(0).padStart(6)} ms  cpu ${c.cpuMs.toFixed(0).padStart(6)} ms  gpu/cpu ${ratio}${runs}  stats Δ ${c.statsRelError.toExponential(1)}`);
  }
  expect(report.error, `harness failed after ${report.cases.length} cases: ${report.error}`).toBeUndefined();
  expect(report.cases.length).toBeGreaterThanOrEqual(30);
  // soft: every failing case is listed, not just the first
  for (const c of report.cases) {
    expect.soft(c.error, `${c.name}: threw`).toBeUndefined();
    expect.soft(c.cpuParts, `${c.name}: outputs present`).toBe(c.gpuParts);
    expect.soft(c.codeMismatches, `${c.name}: codes/mask differ`).toBe(0);
    expect.soft(c.paramMismatches, `${c.name}: scales/zero points differ`).toBe(0);
    expect.soft(c.maxRelError, `${c.name}: dequantized relative error`).toBeLessThanOrEqual(REL_TOL);
    expect.soft(c.floatBitMismatches, `${c.name}: dequantized floats are not bit-exact`).toBe(0);
    // the WGSL's stats (affine methods: taken in the kernel, f32 sums per workgroup) vs the TS's (double)
    expect.soft(c.statsRelError, `${c.name}: stats differ`).toBeLessThanOrEqual(STATS_REL_TOL);
  }
  // the shaders compiled and ran without validation errors
  expect(consoleErrors.filter((t) => /WGSL|WebGPU|GPU|validation/i.test(t))).toEqual([]);
});

test('a tensor over the binding limit runs in chunks (of output channels; magnitude and global pruning: of spans), bit-exact', async ({ page }) => {
  await page.goto('/e2e/harness/kernels.html?only=split');
  await page.waitForFunction(() => window.__kernels?.done === true, undefined, { timeout: 60_000, polling: 250 });
  const report: KernelReport = await page.evaluate(() => window.__kernels);
  expect(report.error).toBeUndefined();
  expect(report.cases.length).toBe(14);
  for (const c of report.cases) {
    console.log(`${c.name}: ${c.chunks} chunks, vs TS ${c.codeMismatches + c.paramMismatches + c.floatBitMismatches} differences, vs unsplit ${c.unsplitMismatches}`);
    expect.soft(c.error, c.name).toBeUndefined();
    expect.soft(c.chunks, `${c.name}: split`).toBeGreaterThan(2);
    expect.soft([c.codeMismatches, c.paramMismatches, c.floatBitMismatches, c.unsplitMismatches], `${c.name}: = TS reference and = unsplit`).toEqual([0, 0, 0, 0]);
    expect.soft(c.cpuParts, c.name).toBe(c.gpuParts);
  }
});
