/**
 * Loading by Hugging Face id (issue 7, issue 11's network rules), without the network: a node http
 * server started here serves the demo LM public/models/brown-gpt2-tiny in the hub's URL layout as
 * `lab-test/brown-gpt2-tiny` (GET /api/models/{id}?blobs=true with siblings and sizes; resolve/main
 * answering .onnx files with a 302 to a "CDN" path, as the hub does for large files; CORS like the
 * hub, no CORP), and counts every request it gets. The page is pointed at it with ?hub=. The .onnx
 * is sent in 128 KiB chunks 30 ms apart (~1.2 s) so progress and Cancel can be seen.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { wasmBaseline } from './helpers/wasm-baseline';

const REPO = 'lab-test/brown-gpt2-tiny';
const DIR = 'public/models/brown-gpt2-tiny';
/** what the lab takes from the repo (listing.ts): the root JSON files and the preferred graph */
const READ = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'onnx/model.onnx'];

const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [relative(DIR, join(d, f))]));

async function startHub() {
  const files = walk(DIR);
  const requests: string[] = [];
  const cors = { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'x-error-code' };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://hub').pathname);
    requests.push(path);
    const json = (status: number, body: unknown, code?: string) => {
      res.writeHead(status, { ...cors, 'content-type': 'application/json', ...(code ? { 'x-error-code': code } : {}) });
      res.end(JSON.stringify(body));
    };
    if (path.startsWith('/api/models/')) {
      if (path !== `/api/models/${REPO}`) return json(404, { error: 'Repository not found' }, 'RepoNotFound');
      return json(200, { id: REPO, private: false, siblings: files.map((f) => ({ rfilename: f, size: statSync(join(DIR, f)).size })) });
    }
    const resolve = `/${REPO}/resolve/main/`;
    const cdn = '/cdn/';
    const file = path.startsWith(resolve) ? path.slice(resolve.length) : path.startsWith(cdn) ? path.slice(cdn.length) : undefined;
    if (file === undefined || !files.includes(file)) return json(404, { error: 'Entry not found' }, 'EntryNotFound');
    if (path.startsWith(resolve) && file.endsWith('.onnx')) {
      res.writeHead(302, { ...cors, location: `${cdn}${file}` });
      return res.end();
    }
    const data = readFileSync(join(DIR, file));
    res.writeHead(200, { ...cors, 'content-type': 'application/octet-stream', 'content-length': data.length });
    if (!path.startsWith(cdn)) return res.end(data);
    let at = 0;
    const next = () => {
      if (res.destroyed) return;
      res.write(data.subarray(at, at + 128 * 1024));
      at += 128 * 1024;
      if (at < data.length) setTimeout(next, 30);
      else res.end();
    };
    next();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
  return { base, requests, close, size: (f: string) => statSync(join(DIR, f)).size };
}

/** A short WASM baseline of the loaded model: 256 tokens at context 128. */
const baseline = (page: Page, job: string) => wasmBaseline(page, job, 256, 128);

test('a hub id: nothing before the click, progress and cancel, the folder path, the same ppl, the cache, clear messages', async ({ page }) => {
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  const hub = await startHub();
  try {
    const tag = page.locator('[data-testid=model-card] h2 .tag');
    await page.goto(`/?nogpu=1&hub=${encodeURIComponent(hub.base)}`);
    await expect(page.getByTestId('model-name')).toHaveText('brown-gpt2-tiny', { timeout: 120_000 });
    const demo = await baseline(page, 'hub-demo');
    await page.getByTestId('hub-model-id').fill(REPO);
    expect(hub.requests, 'requests before the click').toEqual([]);

    // Cancel in the middle of the graph's download: the demo stays
    await page.getByTestId('hub-model-load').click();
    const progress = page.getByTestId('hub-progress');
    await expect(progress).toHaveAttribute('data-total', String(READ.reduce((a, f) => a + hub.size(f), 0)));
    await expect.poll(async () => Number(await progress.getAttribute('data-done'))).toBeGreaterThan(hub.size('tokenizer.json'));
    await expect(progress).toContainText(/of .*\(\d+ %\)/);
    await page.getByTestId('hub-cancel').click();
    await expect(page.getByTestId('hub-status')).toContainText(`Download of ${REPO} cancelled`);
    await expect(tag).toHaveText('demo');

    // Load: what finished before Cancel comes from the cache, the graph from the "CDN"
    hub.requests.length = 0;
    await page.getByTestId('hub-model-load').click();
    await expect(progress).toBeVisible();
    await expect(tag).toHaveText('files', { timeout: 60_000 });
    await expect(page.getByTestId('model-name')).toHaveText('brown-gpt2-tiny');
    await expect(page.getByTestId('other-graph')).toHaveAttribute('data-path', 'brown-gpt2-tiny/onnx/decoder_model_merged.onnx');
    await expect(page.getByTestId('hub-status')).toContainText(`${REPO} from 127.0.0.1`);
    console.log(`second load's requests: ${hub.requests.join(' ')}; status: ${await page.getByTestId('hub-status').innerText()}`);
    expect(hub.requests).toContain('/cdn/onnx/model.onnx');
    // never the other graph, the model card, metrics or logs
    expect(hub.requests.filter((p) => /decoder_model_merged|MODEL_CARD|metrics|train_log/.test(p))).toEqual([]);
    const fromHub = await baseline(page, 'hub-loaded');
    console.log(`WASM baseline, 256 tokens, context 128: demo ${demo.ppl} (${demo.id}), hub ${fromHub.ppl} (${fromHub.id})`);
    expect(fromHub.source).toBe('files');
    expect(fromHub.scored).toBe(demo.scored);
    expect(fromHub.ppl).toBe(demo.ppl);

    // A second load of the id: all from the browser's cache, no request
    await page.getByRole('button', { name: 'Reload demo' }).click();
    await expect(tag).toHaveText('demo', { timeout: 60_000 });
    hub.requests.length = 0;
    await page.getByTestId('hub-model-load').click();
    await expect(tag).toHaveText('files', { timeout: 60_000 });
    await expect(page.getByTestId('hub-status')).toContainText('from this browser\'s cache, no request made');
    expect(hub.requests, 'requests of the cached load').toEqual([]);
    await expect(page.getByTestId('hub-cache')).toContainText('cached: 1 model');

    // Another graph of the repo, offered on the card: downloaded on its click only, then the first again from the cache
    await page.getByTestId('other-graph').click();
    await expect(page.getByTestId('other-graph')).toHaveAttribute('data-path', 'brown-gpt2-tiny/onnx/model.onnx', { timeout: 60_000 });
    expect(hub.requests.filter((p) => p.endsWith('.onnx'))).toEqual([`/${REPO}/resolve/main/onnx/decoder_model_merged.onnx`, '/cdn/onnx/decoder_model_merged.onnx']);
    hub.requests.length = 0;
    await page.getByTestId('other-graph').click();
    await expect(page.getByTestId('other-graph')).toHaveAttribute('data-path', 'brown-gpt2-tiny/onnx/decoder_model_merged.onnx', { timeout: 60_000 });
    expect(hub.requests, 'requests of the cached graph').toEqual([]);

    // An id the hub does not have
    await page.getByTestId('hub-model-id').fill('lab-test/no-such-model');
    await page.getByTestId('hub-model-load').click();
    await expect(page.getByTestId('hub-error')).toContainText('has no model lab-test/no-such-model (404): check the id');
    await expect(page.getByTestId('hub-error')).toContainText('The current model (brown-gpt2-tiny) stays loaded');

    // The hub down, the cache cleared: said plainly; the loaded model still evaluates
    await hub.close();
    await page.getByTestId('hub-clear').click();
    await expect(page.getByTestId('hub-cache')).toHaveCount(0);
    await page.getByTestId('hub-model-id').fill(REPO);
    await page.getByTestId('hub-model-load').click();
    await expect(page.getByTestId('hub-error')).toContainText(`Could not load ${REPO}: ${new URL(hub.base).host} cannot be reached`);
    await expect(tag).toHaveText('files');
    await expect(page.getByTestId('run-button')).toBeEnabled();
    expect((await baseline(page, 'hub-after-down')).ppl).toBe(demo.ppl);
    // the policy let the page reach the test hub (?hub= named it; LAB_E2E adds http://127.0.0.1:* to connect-src)
    expect(violations, 'CSP violations').toEqual([]);
  } finally {
    await hub.close().catch(() => undefined);
  }
});
