/**
 * GPTQ's column loop and AWQ's scale search in real Chromium WebGPU (SwiftShader without a GPU):
 * the WGSL equals the TS reference — codes, grids and dequantized floats bit for bit, the loss
 * within 1e-6 relative, AWQ's α and search loss exactly — on the cases of e2e/harness/gptq-awq.ts; on 256 × 1024 both GPTQ
 * loops are timed in the same run (same setup, interleaved) and the times are printed.
 * To debug one, open /e2e/harness/gptq-awq.html in the dev server.
 */
import { expect, test } from '@playwright/test';
import type { GptqAwqReport } from './harness/gptq-awq';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
// the machine is shared (other tests, a training run): the fastest of five interleaved runs is
// each path's least disturbed time
const fastest = (xs: number[]) => Math.min(...xs);

test('GPTQ and AWQ WGSL equal their TS references on WebGPU', async ({ page }) => {
  test.setTimeout(3 * 60_000);
  // a WGSL error shows as a console warning, and the kernel then returns whatever its buffers held
  const gpuMessages: string[] = [];
  page.on('console', (m) => {
    if (/WGSL|Invalid|validation/i.test(m.text())) gpuMessages.push(m.text());
  });
  await page.goto('/e2e/harness/gptq-awq.html');
  await page.waitForFunction(() => window.__gptqAwq?.done === true, undefined, { timeout: 150_000, polling: 500 });
  const report: GptqAwqReport = await page.evaluate(() => window.__gptqAwq);
  console.log(`adapter: ${report.adapter}`);
  for (const c of report.cases) {
    console.log(`${c.name.padEnd(48)} n ${String(c.n).padStart(6)}  codes differ ${c.codeMismatches}  float bits ${c.bitMismatches}  grids ${c.gridMismatches}  loss rel ${c.lossRelError.toExponential(1)}${c.error ? `  ERROR ${c.error}` : ''}`);
  }
  expect(gpuMessages).toEqual([]);
  expect(report.error).toBeUndefined();
  expect(report.cases.length).toBe(27 + 10); // GPTQ (6 of them symmetric or whole-row, 5 pruned with the mask kept), AWQ
  for (const c of report.cases) {
    expect.soft(c.error, `${c.name}: threw`).toBeUndefined();
    expect.soft(c.codeMismatches, `${c.name}: codes`).toBe(0);
    expect.soft(c.bitMismatches, `${c.name}: dequantized floats`).toBe(0);
    expect.soft(c.gridMismatches, `${c.name}: scales and zero points`).toBe(0);
    expect.soft(c.lossRelError, `${c.name}: calibration loss`).toBeLessThanOrEqual(1e-6);
    expect.soft(c.alphaMismatch ?? false, `${c.name}: AWQ's α and search loss`).toBe(false);
  }
  const t = report.timing!;
  console.log(`GPTQ INT4 g128 ${t.shape.join('x')}: setup (TS, U = chol(H⁻¹)) ${t.setupMs.toFixed(0)} ms; loop TS ${t.tsLoopMs.map((v) => v.toFixed(0)).join(' / ')} ms, WGSL ${t.gpuLoopMs.map((v) => v.toFixed(0)).join(' / ')} ms`);
  expect(t.codeMismatches).toBe(0);
  console.log(`  fastest TS ${fastest(t.tsLoopMs).toFixed(0)} ms, WGSL ${fastest(t.gpuLoopMs).toFixed(0)} ms; median TS ${median(t.tsLoopMs).toFixed(0)}, WGSL ${median(t.gpuLoopMs).toFixed(0)}`);
  // speed is reported, not asserted: pass/fail on timings of a shared CPU flakes (the guide), and the TS loop got faster since
  // (the affine quantizer's multiply-by-reciprocal): on SwiftShader the WGSL loop now reads 1.2-1.5x the TS loop's time.
  // The goal "every WGSL kernel at least as fast as its TS path" (issue 6) is tracked by the bench's compression keys.
  const a = report.awqTiming!;
  console.log(`AWQ INT4 g128 ${a.shape.join('x')} (search on every row x 20 alphas, then every row): TS ${a.tsMs.toFixed(0)} ms, WGSL ${a.gpuMs.toFixed(0)} ms (one run each)`);
});
