/**
 * workers/next-task.ts in a module worker in real Chromium: a chain of its yields is not clamped
 * as a chain of setTimeout(0) is (4 ms a link from the 5th, HTML's timer nesting rule), and a
 * message queued before a yield (a cancel call) runs before the yield resumes the work.
 */
import { expect, test } from '@playwright/test';

test('nextTask yields without the setTimeout clamp and lets a queued cancel in', async ({ page }) => {
  await page.goto('/e2e/harness/next-task.html');
  await page.waitForFunction(() => (window as any).__nextTask, null, { timeout: 30_000 });
  const r = await page.evaluate(() => (window as any).__nextTask as { links: number; timeoutMs: number; nextTaskMs: number; cancelSeenAfterOneYield: boolean; error?: string });
  console.log(`${r.links} yields: setTimeout(0) ${r.timeoutMs?.toFixed(1)} ms, nextTask ${r.nextTaskMs?.toFixed(1)} ms`);
  expect(r.error).toBeUndefined();
  expect(r.cancelSeenAfterOneYield).toBe(true);
  // the clamp is there to avoid: without it this comparison would say nothing
  expect(r.timeoutMs).toBeGreaterThan(3.5 * (r.links - 5));
  expect(r.nextTaskMs).toBeLessThan(r.timeoutMs / 4);
});
