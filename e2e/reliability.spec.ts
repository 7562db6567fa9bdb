/**
 * Reliability (issue 11), in real Chromium with the real engine worker. Failures are simulated
 * through the worker's debug hooks (`__lab.bridge.debug(kind)`, answered only with ?debug=1):
 * a worker crash (uncaught error, or a silent self.close() found by the heartbeat), a reload
 * mid-sweep, a lost GPU device, a WGSL kernel that fails, cancel at several moments, no request
 * off the page's origin under the Content-Security-Policy, and IndexedDB missing or full.
 * Measured numbers are printed as `[reliability] name=value` lines and attached to the test
 * report. WebGPU runs on SwiftShader here, so everything but the device-loss tests uses ?nogpu=1.
 */
import { expect, test, type Page, type TestInfo } from '@playwright/test';

interface LabHandle {
  bridge: { debug(kind: string, ms?: number): Promise<void>; heartbeatTimeoutMs: number; jobHeartbeatTimeoutMs: number; generation: number };
  store: { getState(): { jobs: { status: string; error?: string; note?: string }[]; evals: unknown[]; variants: unknown[] } };
}
declare global {
  interface Window {
    __lab: LabHandle;
  }
}

async function openLab(page: Page, query = '?nogpu=1&debug=1') {
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto(`/${query}`);
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('run-button')).toBeEnabled();
}

async function setChecked(page: Page, testId: string, on: boolean) {
  const box = page.getByTestId(testId);
  if ((await box.isChecked()) !== on) await box.click();
}

/** WASM only; `prune` ratios, INT8 and INT4 as asked. */
async function configure(page: Page, o: { prune?: number[]; int8?: boolean; int4?: boolean; wasmTokens: number; runs?: number }) {
  const prune = o.prune ?? [];
  await setChecked(page, 'method-prune', prune.length > 0);
  if (prune.length) for (const r of [0.1, 0.3, 0.5, 0.7, 0.9]) await setChecked(page, `prune-${r}`, prune.includes(r));
  await setChecked(page, 'method-int8', o.int8 ?? false);
  await setChecked(page, 'method-int4', o.int4 ?? false);
  if (await page.getByTestId('backend-webgpu').isEnabled()) await setChecked(page, 'backend-webgpu', false);
  await setChecked(page, 'backend-wasm', true);
  await page.getByTestId('tokens-wasm').fill(String(o.wasmTokens));
  await page.getByTestId('runs').fill(String(o.runs ?? 1));
  // the run's speed comparison only has to finish in these tests (none reads its figures): one
  // timed run of 16 tokens instead of the default 7 at the whole context
  await page.getByTestId('speed-runs-wasm').fill('1');
  await page.getByTestId('speed-seqlen-wasm').fill('16');
}

const jobs = (page: Page, status: string) => page.locator(`[data-testid=job][data-status=${status}]`);

async function report(info: TestInfo, name: string, value: number) {
  console.log(`[reliability] ${name}=${value}`);
  info.annotations.push({ type: name, description: String(value) });
}

async function waitIdle(page: Page, timeout = 120_000) {
  await expect(page.getByTestId('progress')).toHaveAttribute('data-running', 'false', { timeout });
}

/** A policy as directive → its sources, in order. */
const directives = (policy: string) =>
  Object.fromEntries(policy.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...sources]) => [name, sources]));

/**
 * The exact policy, each directive's sources written out here (not imported from vite.config.ts),
 * so widening one (connect-src *, a CDN for scripts) fails. connect-src: the page itself, blob:
 * and data: (ORT's wasm and the workers' transfers), and the Hugging Face hub hosts the hub id
 * field fetches from on its Load click; `http://127.0.0.1:*` only because the browser tests run
 * with LAB_E2E (e2e/hub.spec.ts serves a hub layout locally). script-src's inline-script hashes
 * (meta) or 'unsafe-inline' (the header, which the meta's hashes still bind for the page) vary.
 */
const HUB = ['https://huggingface.co', 'https://cdn-lfs.huggingface.co', 'https://cdn-lfs.hf.co', 'https://cas-bridge.xethub.hf.co', 'https://*.hf.co'];
function expectExactPolicy(policy: string, inline: 'hashes' | 'unsafe-inline') {
  const d = directives(policy);
  const scriptExtra = d['script-src']?.slice(3) ?? [];
  if (inline === 'hashes') for (const h of scriptExtra) expect(h).toMatch(/^'sha256-[A-Za-z0-9+/]+=*'$/);
  else expect(scriptExtra).toEqual(["'unsafe-inline'"]);
  expect(d).toEqual({
    'default-src': ["'self'"],
    'script-src': ["'self'", "'wasm-unsafe-eval'", 'blob:', ...scriptExtra],
    'worker-src': ["'self'", 'blob:'],
    'connect-src': ["'self'", 'blob:', 'data:', ...HUB, 'http://127.0.0.1:*'],
    'img-src': ["'self'", 'data:', 'blob:'],
    'style-src': ["'self'", "'unsafe-inline'"],
    'font-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
  });
}

test('no request leaves the origin and the exact CSP holds while every built-in model loads and the demo runs on WASM', async ({ page, context, baseURL }, info) => {
  const origin = new URL(baseURL!).origin;
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Refused to load: CSP ${e.violatedDirective} ${e.blockedURI}`));
  });
  const policies: string[] = [];
  page.on('response', (r) => {
    const p = r.headers()['content-security-policy'];
    if (p && /engine\.worker|\/$|\?nogpu/.test(r.url())) policies.push(p);
  });
  await openLab(page, '?nogpu=1');
  const csp = await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content');
  expectExactPolicy(csp!, 'hashes');
  // the header binds the engine worker (a worker follows its own response's policy): the page's and the worker's
  expect(policies.length).toBeGreaterThanOrEqual(2);
  for (const p of policies) expectExactPolicy(p, 'unsafe-inline');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await configure(page, { int8: true, wasmTokens: 512 });
  await page.getByTestId('run-button').click();
  await waitIdle(page);
  expect(await jobs(page, 'failed').allInnerTexts()).toEqual([]);
  await expect(page.getByTestId('baseline-ppl-wasm')).toHaveText(/^\d/);
  // every other built-in: both larger demo LMs and the demo classifier
  for (const [button, name] of [['demo-lm-small', 'brown-gpt2-mini'], ['demo-lm-large', 'brown-gpt2'], ['demo-classifier', 'brown-bert-genre']]) {
    await page.getByTestId(button).click();
    await expect(page.getByTestId('model-name')).toHaveText(name, { timeout: 120_000 });
    await expect(page.getByTestId('run-button')).toBeEnabled();
  }

  const offOrigin = requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
  await report(info, 'requests_total', requests.length);
  // the four models' graphs were fetched from the page's origin (so the recording saw them)
  for (const m of ['brown-gpt2-tiny', 'brown-gpt2-mini', 'brown-gpt2', 'brown-bert-genre']) expect(requests.some((u) => u.includes(`/models/${m}/`)), m).toBe(true);
  expect(offOrigin, `requests off ${origin}`).toEqual([]);
  expect(violations, 'CSP violations').toEqual([]);
});

test('a crashed worker fails the job in flight with the reason, restarts within seconds and the queue goes on', async ({ page }, info) => {
  await openLab(page);
  // the largest demo LM: its whole-text evaluation outlasts both crashes (the small default finished a job in between)
  await page.getByTestId('demo-lm-large').click();
  await expect(page.getByTestId('model-name')).toHaveText('brown-gpt2', { timeout: 120_000 });
  await configure(page, { int8: true, wasmTokens: 1_000_000 });
  await page.getByTestId('run-button').click();
  await expect(jobs(page, 'running')).toHaveCount(1);
  await expect(page.locator('[data-testid=job][data-status=running] .job-status')).toContainText(/\d+\/\d+/, { timeout: 60_000 });
  const gen0 = await page.evaluate(() => window.__lab.bridge.generation);

  // 1. an uncaught error in the worker (its `error` event)
  const t0 = Date.now();
  void page.evaluate(() => window.__lab.bridge.debug('throw').catch(() => undefined));
  await expect(jobs(page, 'failed').first()).toContainText(/crashed/i, { timeout: 10_000 });
  const failedMs = Date.now() - t0;
  await expect(page.getByTestId('error-banner').filter({ hasText: /engine crashed/i })).toBeVisible();
  await expect(page.getByTestId('capabilities')).toHaveAttribute('data-engine', 'ready', { timeout: 30_000 });
  // the queue resumed on the new worker: the next job runs
  await expect(jobs(page, 'running')).toHaveCount(1, { timeout: 30_000 });
  const recoveredMs = Date.now() - t0;
  expect(await page.evaluate(() => window.__lab.bridge.generation)).toBe(gen0 + 1);
  await report(info, 'crash_error_job_failed_s', failedMs / 1000);
  await report(info, 'worker_crash_recovered_s', recoveredMs / 1000);
  expect(recoveredMs).toBeLessThan(15_000);

  // 2. a worker that dies without a word (self.close()): the heartbeat finds it
  await page.evaluate(() => (window.__lab.bridge.heartbeatTimeoutMs = window.__lab.bridge.jobHeartbeatTimeoutMs = 3000));
  await expect(page.locator('[data-testid=job][data-status=running] .job-status')).toContainText(/\d+\/\d+/, { timeout: 60_000 });
  const t1 = Date.now();
  void page.evaluate(() => window.__lab.bridge.debug('close').catch(() => undefined));
  await expect(jobs(page, 'failed')).toHaveCount(2, { timeout: 20_000 });
  await expect(jobs(page, 'failed').nth(1)).toContainText(/stopped answering/i);
  await expect(page.getByTestId('capabilities')).toHaveAttribute('data-engine', 'ready', { timeout: 30_000 });
  await expect(page.getByTestId('model-card')).toBeVisible();
  const silentMs = Date.now() - t1;
  await report(info, 'silent_death_recovered_s', silentMs / 1000);
  expect(silentMs).toBeLessThan(20_000);

  // the run ends and its unfinished jobs can be re-run with one click (the reload test runs such a
  // re-run to the end): the two crashed jobs, plus the INT8 evaluation and speed comparison, skipped,
  // when the second crash lands in the make; the make now often ends first and the evaluation is hit
  await waitIdle(page);
  const unfinished = await page.locator(['failed', 'cancelled', 'skipped', 'interrupted'].map((s) => `[data-testid=job][data-status=${s}]`).join(', ')).count();
  expect(unfinished).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('rerun-button')).toBeEnabled();
  await expect(page.getByTestId('rerun-button')).toContainText(`Re-run ${unfinished} unfinished jobs`);
});

test('reload mid-sweep: finished results survive, the unfinished job is interrupted and re-runs with one click', async ({ page }) => {
  await openLab(page);
  // 32,768 tokens: on the small default demo LM each evaluation takes seconds, so the reload lands
  // inside the INT8 evaluation (the INT8 make before it takes milliseconds and may be done or not)
  await configure(page, { int8: true, wasmTokens: 32_768 });
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('baseline-ppl-wasm')).toHaveText(/^\d/, { timeout: 120_000 });
  expect(await jobs(page, 'failed').allInnerTexts()).toEqual([]);
  const baseline = await page.getByTestId('baseline-ppl-wasm').innerText();
  const finished = await jobs(page, 'done').count();
  expect(finished).toBeGreaterThanOrEqual(1);
  expect(finished).toBeLessThanOrEqual(2);
  await page.reload();
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('baseline-ppl-wasm')).toHaveText(baseline);
  await expect(jobs(page, 'done')).toHaveCount(finished);
  await expect(jobs(page, 'interrupted')).toHaveCount(4 - finished); // (INT8 make and) eval, the speed comparison
  await expect(page.getByTestId('interrupted-note')).toBeVisible();
  await page.getByTestId('rerun-button').click();
  await waitIdle(page);
  expect(await jobs(page, 'failed').allInnerTexts()).toEqual([]);
  await expect(jobs(page, 'done')).toHaveCount(4);
  await expect(page.getByTestId('result-row')).toHaveCount(2);
  await expect(page.getByTestId('baseline-ppl-wasm')).toHaveText(baseline);
  await expect(page.getByTestId('rerun-button')).toHaveCount(0);
});

/** Clicks Run, waits `until` (ms, or a selector to appear), clicks Cancel; times measured in the page. */
async function cancelTimes(page: Page, until: number | string): Promise<{ uiMs: number; stopMs: number; status: string }> {
  return page.evaluate(async (until) => {
    const q = <T extends Element>(s: string) => document.querySelector<T>(s);
    q<HTMLButtonElement>('[data-testid=run-button]')!.click();
    if (typeof until === 'number') await new Promise((r) => setTimeout(r, until));
    else while (!q(until)) await new Promise((r) => setTimeout(r, 10));
    const status = q('[data-testid=job][data-status=running] .job-status')?.textContent ?? 'no job running';
    const longTasks: string[] = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => longTasks.push(`${(e.startTime - performance.now()).toFixed(0)}+${e.duration.toFixed(0)}`))).observe({ type: 'longtask' });
    const cancelButton = q<HTMLButtonElement>('[data-testid=cancel-button]')!;
    const t0 = performance.now();
    cancelButton.click();
    const answered = () => !q('[data-testid=job][data-status=running], [data-testid=job][data-status=queued]') && cancelButton.disabled;
    const stopped = () => q('[data-testid=progress]')?.getAttribute('data-running') === 'false';
    let uiMs = NaN;
    let stopMs = NaN;
    await new Promise<void>((resolve) => {
      const check = () => {
        const t = performance.now() - t0;
        if (Number.isNaN(uiMs) && answered()) uiMs = t;
        if (Number.isNaN(stopMs) && stopped()) stopMs = t;
        if (!Number.isNaN(uiMs) && !Number.isNaN(stopMs)) done();
      };
      const obs = new MutationObserver(check);
      const timer = setTimeout(() => done(), 5000);
      const done = () => {
        obs.disconnect();
        clearTimeout(timer);
        resolve();
      };
      obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      check();
    });
    return { uiMs, stopMs, status: `${status} longtasks ${longTasks.join(' ')}` };
  }, until);
}

test('cancel at any moment: the UI answers within 200 ms and the worker stops within a second', async ({ page }, info) => {
  await openLab(page);
  // LAB_THROTTLE=6 slows the page's CPU as a loaded CI machine does (how the 260 ms answer was found)
  if (process.env.LAB_THROTTLE) await (await page.context().newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate: Number(process.env.LAB_THROTTLE) });
  await configure(page, { prune: [0.9], int8: true, wasmTokens: 1_000_000 });
  const moments: [string, number | string][] = [
    ['right after Run', 50],
    ['while the session starts', 400],
    ['mid evaluation', 2500],
  ];
  for (const [name, until] of moments) {
    const t = await cancelTimes(page, until);
    console.log(`[reliability] cancel ${name} (${t.status}): ui ${t.uiMs.toFixed(0)} ms, stopped ${t.stopMs.toFixed(0)} ms`);
    await report(info, `cancel_ui_ms ${name}`, Math.round(t.uiMs));
    await report(info, `cancel_stop_ms ${name}`, Math.round(t.stopMs));
    expect(t.uiMs, name).toBeLessThan(200);
    expect(t.stopMs, name).toBeLessThan(1000);
    await expect(jobs(page, 'cancelled').first()).toBeVisible();
    await expect(page.getByTestId('run-button')).toBeEnabled({ timeout: 60_000 });
  }
  // during a variant make: a short baseline first, then cancel once the make job runs
  await configure(page, { prune: [0.9], wasmTokens: 256 });
  const t = await cancelTimes(page, '[data-testid=job][data-status=running]:nth-child(2)');
  console.log(`[reliability] cancel during make (${t.status}): ui ${t.uiMs.toFixed(0)} ms, stopped ${t.stopMs.toFixed(0)} ms`);
  await report(info, 'cancel_ui_ms during make', Math.round(t.uiMs));
  await report(info, 'cancel_stop_ms during make', Math.round(t.stopMs));
  expect(t.uiMs).toBeLessThan(200);
  expect(t.stopMs).toBeLessThan(1000);
  await expect(page.getByTestId('run-button')).toBeEnabled({ timeout: 60_000 });
});

test('GPU device lost while a variant is made on WebGPU, and a WGSL kernel that fails: each make retried on the CPU kernels, the UI says so, no result lost', async ({ page }, info) => {
  await openLab(page, '?debug=1');
  test.skip(!(await page.getByTestId('backend-webgpu').isEnabled()), 'no WebGPU adapter here');
  await configure(page, { int8: true, int4: true, wasmTokens: 256 });
  await page.getByTestId('device-webgpu').check();
  // Both faults armed before the run, taken by the next kernel dispatches in order (the worker's
  // gpuFaults), so neither depends on how fast the make is: the first variant's first dispatch
  // destroys the kernels' device right after it is recorded; the second variant's first
  // dispatch (on the new device) binds one buffer too few, a binding mismatch WebGPU reports
  // only asynchronously, which the kernel's error scope turns into 'GpuKernelFailed'. (The
  // device used to be destroyed when the make's line showed "compress 1/16": a race the make
  // won once in a whole bench, by ending first.)
  await page.evaluate(async () => {
    await window.__lab.bridge.debug('device-lost-next-kernel');
    await window.__lab.bridge.debug('next-kernel-fails');
  });
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('baseline-ppl-wasm')).toHaveText(/^\d/);
  const baseline = await page.getByTestId('baseline-ppl-wasm').innerText();
  await waitIdle(page, 300_000);
  expect(await jobs(page, 'failed').allInnerTexts()).toEqual([]);
  // baseline, both makes and evaluations, the speed comparison: all done
  await expect(jobs(page, 'done')).toHaveCount(await page.getByTestId('job').count());
  await expect(jobs(page, 'done')).toHaveCount(6);
  const notes = page.getByTestId('job-note');
  await expect(notes).toHaveCount(2);
  for (const note of await notes.allInnerTexts()) console.log(`[reliability] note: ${note}`);
  await expect(notes.filter({ hasText: /device lost.*retried on the CPU kernels/i })).toHaveCount(1);
  // the failure names the kernel and WebGPU's complaint
  await expect(notes.filter({ hasText: /WebGPU kernel failed.*kernel "(int8-channel|int4-group)" failed: .*invalid.*before it: Number of entries.*retried on the CPU kernels/i })).toHaveCount(1);
  await expect(page.getByTestId('error-banner').filter({ hasText: /WebGPU device lost/i })).toBeVisible();
  await expect(page.getByTestId('error-banner').filter({ hasText: /WebGPU kernel failed/i })).toBeVisible();
  await expect(page.getByTestId('baseline-ppl-wasm')).toHaveText(baseline);
  await expect(page.getByTestId('result-row')).toHaveCount(3);
  const lost = await page.evaluate(() => window.__lab.store.getState().evals.length);
  await report(info, 'device_lost_results_lost', 3 - lost);
});

test('GPU device lost during a WebGPU evaluation: evaluated on WASM instead, the UI says so, and the next WebGPU job runs on a new device', async ({ page }, info) => {
  await openLab(page, '?debug=1');
  test.skip(!(await page.getByTestId('backend-webgpu').isEnabled()), 'no WebGPU adapter here');
  // baseline only, both backends; context 64 so the WebGPU evaluation (SwiftShader) has several short windows
  await configure(page, { wasmTokens: 256 });
  await setChecked(page, 'backend-webgpu', true);
  await page.getByTestId('tokens-webgpu').fill('256');
  await page.getByTestId('context').fill('64');
  // the WebGPU speed comparison at its smallest too (configure set WASM's): here it only has to
  // finish on the new device; SwiftShader's default 3 × 64 tokens cost seconds
  await page.getByTestId('speed-runs-webgpu').fill('1');
  await page.getByTestId('speed-seqlen-webgpu').fill('8');
  await page.getByTestId('run-button').click();
  await expect(jobs(page, 'done')).toHaveCount(1, { timeout: 120_000 });
  await expect(page.getByTestId('baseline-ppl-wasm')).toHaveText(/^\d/);
  const wasmPpl = await page.getByTestId('baseline-ppl-wasm').innerText();
  // once the WebGPU evaluation scored a window, destroy the device onnxruntime-web runs on
  await expect(page.locator('[data-testid=job][data-status=running] .job-status')).toContainText(/perplexity [1-9]\d*\//, { timeout: 120_000 });
  const t0 = Date.now();
  await page.evaluate(() => window.__lab.bridge.debug('ort-device-lost'));
  await expect(page.getByTestId('job-note')).toContainText(/device lost during evaluation.*ran on WASM instead/i, { timeout: 30_000 });
  await report(info, 'ort_device_lost_noticed_s', (Date.now() - t0) / 1000);
  await expect(page.getByTestId('error-banner').filter({ hasText: /WebGPU device lost during evaluation/i })).toBeVisible();
  await waitIdle(page, 300_000);
  expect(await jobs(page, 'failed').allInnerTexts()).toEqual([]);
  // baseline WASM, baseline (re-run on WASM), both speed comparisons: the WebGPU one on a new device
  await expect(jobs(page, 'done')).toHaveCount(4);
  await expect(page.getByTestId('baseline-ppl-wasm')).toHaveText(wasmPpl);
  const evals = await page.evaluate(() => window.__lab.store.getState().evals.length);
  await report(info, 'ort_device_lost_results_lost', 1 - Math.min(1, evals));
  expect(evals).toBe(1);
  // a second WebGPU evaluation runs on the new device
  await setChecked(page, 'backend-wasm', false);
  await page.getByTestId('tokens-webgpu').fill('64');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('baseline-ppl-webgpu')).toHaveText(/^\d/, { timeout: 120_000 });
  await waitIdle(page, 300_000);
  expect(await jobs(page, 'failed').allInnerTexts()).toEqual([]);
  await expect(page.getByTestId('job-note')).toHaveCount(0);
});

test('results persist nowhere when IndexedDB is missing: the lab says so and keeps working', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { get: () => undefined, configurable: true });
  });
  await openLab(page, '?nogpu=1');
  await expect(page.getByTestId('storage-notice')).toContainText(/will not persist/i);
  await expect(page.getByTestId('storage-notice')).toContainText(/IndexedDB is unavailable/i);
  await configure(page, { wasmTokens: 256 });
  await page.getByTestId('run-button').click();
  await waitIdle(page);
  await expect(page.getByTestId('baseline-ppl-wasm')).toHaveText(/^\d/);
});

test('a full storage quota: the lab says results will not persist and keeps working', async ({ page }) => {
  await page.addInitScript(() => {
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  });
  await openLab(page, '?nogpu=1');
  await configure(page, { wasmTokens: 256 });
  await page.getByTestId('run-button').click();
  await waitIdle(page);
  await expect(page.getByTestId('baseline-ppl-wasm')).toHaveText(/^\d/);
  await expect(page.getByTestId('storage-notice')).toContainText(/quota/i);
  await expect(page.getByTestId('storage-notice')).toContainText(/will not persist/i);
});

test('under the CSP, a host without isolation headers gets them from coi-sw.js and WASM still runs', async ({ page, context }) => {
  // The page and its first requests come without COOP/COEP, as from a static host that cannot set
  // headers; once coi-sw.js controls the page, it adds them to every response.
  await context.route('**/*', async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response, headers });
  });
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  await page.goto('/?nogpu=1');
  await expect.poll(() => page.evaluate(() => crossOriginIsolated).catch(() => false), { timeout: 60_000 }).toBe(true);
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? '')).toMatch(/coi-sw\.js$/);
  await expect(page.getByTestId('model-card')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('capabilities')).not.toContainText('not cross-origin isolated');
  await configure(page, { wasmTokens: 256 });
  await page.getByTestId('run-button').click();
  await waitIdle(page);
  await expect(page.getByTestId('baseline-ppl-wasm')).toHaveText(/^\d/);
  expect(violations).toEqual([]);
});
