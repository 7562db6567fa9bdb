/**
 * Evaluation you can trust, in Chromium with real WebGPU (SwiftShader here) and WASM, on the demo LM:
 * the lab's perplexity on each backend equals the independent Node reference (scripts/ppl-node.ts,
 * no code shared with workers/eval) within 0.1 % on the same tokens, for stride = context and
 * stride < context; the WebGPU path reads back ≤ 64 bytes per scored token (the reduction runs in
 * the graph); the second backend's result says how it agrees with the first; a variant is scored
 * against the base (KL, top-1) on both backends; the same evaluation run twice gives the same digits.
 * Token counts are tiny: WebGPU on SwiftShader is slow.
 */
import { execFileSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import type { Capabilities, EvalResult, EvalSettings, ModelSummary, VariantSummary } from '../workers/api';
import { ok, type Outcome } from './harness/outcome';
import { nodeRefAsync, type NodePpl } from './helpers/node-ref';

const MODEL = 'brown-gpt2';

/** scripts/ppl-node.ts on the same tokens and windows, started now (it runs while the page evaluates). */
function nodeReference(s: EvalSettings): Promise<NodePpl> {
  return nodeRefAsync<NodePpl>('scripts/ppl-node.ts', ['--model', `public/models/${MODEL}`, '--tokens', String(s.tokens), '--context', String(s.context), '--stride', String(s.stride)]);
}

test.describe.configure({ mode: 'serial' });
let page: Page;
let model: ModelSummary;
const call = async <T>(fn: string, ...args: unknown[]): Promise<T> =>
  ok(await (page.evaluate(([f, a]) => (window as any).harness[f as string](...(a as unknown[])), [fn, args] as const) as Promise<Outcome<T>>), fn);

test.beforeAll(async ({ browser }) => {
  execFileSync('node', ['scripts/copy-runtime-assets.mjs'], { stdio: 'inherit' });
  page = await browser.newPage();
  await page.goto('/e2e/harness/engine.html');
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 60_000 });
  model = await call<ModelSummary>('loadDemo', MODEL);
  const caps = await page.evaluate(() => (window as any).harness.capabilities()) as Capabilities;
  expect(caps.webgpu, caps.webgpuReason).toBe(true);
});
test.afterAll(() => page?.close());

for (const [context, stride] of [[64, 64], [64, 32]] as const) {
  test(`baseline: WASM = WebGPU = Node reference within 0.1 %, context ${context} stride ${stride}; ≤ 64 bytes read back per token`, async () => {
    const settings = { tokens: 160, context, stride, throughputRuns: 0 };
    const reference = nodeReference({ backend: 'wasm', ...settings });
    const wasm = await call<EvalResult>('evaluate', model.id, 'baseline', { backend: 'wasm', ...settings });
    const gpu = await call<EvalResult>('evaluate', model.id, 'baseline', { backend: 'webgpu', ...settings });
    const ref = await reference;
    for (const r of [wasm, gpu]) {
      const p = r.perplexity;
      console.log(`${p.backend}: ppl ${p.ppl.toFixed(5)} (node ${ref.ppl.toFixed(5)}), ${p.tokensScored} tokens, ${p.windows} windows, CI95 ${p.ci95?.map((x) => x.toFixed(2)).join('–')}, ${p.bitsPerByte?.toFixed(4)} bits/byte, read back ${p.readback?.bytes} B = ${p.readback?.perToken.toFixed(1)} B/token (+ ${p.readback?.checkBytes} B agreement check)`);
      expect(p.tokensScored).toBe(ref.tokensScored);
      expect(p.windows).toBe(ref.windows);
      expect(Math.abs(p.ppl / ref.ppl - 1)).toBeLessThan(1e-3);
      expect(p.readback!.perToken).toBeLessThanOrEqual(64);
      expect(p.ci95![0]).toBeLessThanOrEqual(p.ppl);
      expect(p.ci95![1]).toBeGreaterThanOrEqual(p.ppl);
      expect(p.bos).toMatch(/BOS/);
    }
    const a = gpu.agreement!;
    console.log(`agreement WebGPU vs WASM: top-1 ${(a.top1 * 100).toFixed(2)} % of ${a.tokens}, max |Δlogit| ${a.maxAbsLogitDiff.toExponential(2)} over ${a.headTokens} rows, first disagreement ${a.firstDisagreement}`);
    expect(a.other).toBe('wasm');
    expect(a.tokens).toBe(ref.tokensScored);
    expect(a.headTokens).toBeGreaterThan(0);
    expect(a.maxAbsLogitDiff).toBeLessThan(1e-2);
    expect(a.top1).toBeGreaterThan(0.95);
  });
}

test('a variant is scored against the base on both backends (KL, top-1), and the backends agree', async () => {
  const v = await call<VariantSummary>('makeVariant', model.id, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu');
  const settings = { tokens: 96, context: 48, stride: 48, throughputRuns: 0 };
  const wasm = await call<EvalResult>('evaluate', model.id, v.id, { backend: 'wasm', ...settings });
  const gpu = await call<EvalResult>('evaluate', model.id, v.id, { backend: 'webgpu', ...settings });
  for (const r of [wasm, gpu]) {
    const k = r.kl!;
    console.log(`${r.settings.backend} INT4 g32 vs base: mean KL ${k.mean.toExponential(3)}, p99 ${k.p99.toExponential(3)}, top-1 ${(k.top1 * 100).toFixed(1)} %, ppl ratio ${k.pplRatio.toFixed(4)}; ${r.perplexity.readback?.perToken} B/token`);
    expect(k.tokens).toBe(r.perplexity.tokensScored);
    expect(k.mean).toBeGreaterThan(0);
    expect(k.top1).toBeGreaterThan(0.8);
    expect(r.perplexity.readback!.perToken).toBeLessThanOrEqual(64);
  }
  expect(Math.abs(gpu.kl!.mean / wasm.kl!.mean - 1)).toBeLessThan(0.05);
  expect(gpu.agreement?.other).toBe('wasm');
  expect(gpu.agreement!.maxAbsLogitDiff).toBeLessThan(1e-2);
});

test('a dropped .txt is evaluated like the Node reference on the same file; a binary file is refused with the reason', async () => {
  const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const file = join(mkdtempSync(join(tmpdir(), 'lab-text-')), 'mine.txt');
  // a different text than the built-in one: the built-in test text's second half, reversed by line
  const lines = readFileSync('public/datasets/brown-test.txt', 'utf8').split('\n');
  writeFileSync(file, lines.slice(lines.length >> 1).reverse().join('\n'));
  const settings = { tokens: 300, context: 128, stride: 128, throughputRuns: 0 };
  const reference = nodeRefAsync<NodePpl>('scripts/ppl-node.ts', ['--model', `public/models/${MODEL}`, '--dataset', file, '--tokens', '300', '--context', '128', '--stride', '128']);
  const data = Array.from(readFileSync(file));
  const r = await page.evaluate(([d, s]) => (window as any).harness.evaluate('demo:brown-gpt2', 'baseline', { backend: 'wasm', ...s, text: { name: 'mine.txt', data: new Uint8Array(d as number[]) } }), [data, settings] as const) as Outcome<EvalResult>;
  const p = ok(r).perplexity;
  const ref = await reference;
  console.log(`mine.txt: lab ${p.ppl.toFixed(4)}, node ${ref.ppl.toFixed(4)}, ${p.tokensScored} tokens`);
  expect(p.dataset).toBe('mine.txt');
  expect(p.tokensScored).toBe(ref.tokensScored);
  expect(Math.abs(p.ppl / ref.ppl - 1)).toBeLessThan(1e-3);
  const bin = await page.evaluate(() => (window as any).harness.evaluate('demo:brown-gpt2', 'baseline', { backend: 'wasm', tokens: 16, context: 16, stride: 16, throughputRuns: 0, text: { name: 'weights.bin', data: new Uint8Array([1, 2, 0, 3]) } })) as Outcome<EvalResult>;
  expect(bin.ok).toBe(false);
  if (!bin.ok) expect(`${bin.name}: ${bin.message}`).toMatch(/BadOption: weights\.bin: byte 2 is a NUL: this looks like a binary file/);
});

test('deterministic to the digit: the same evaluation twice (default demo LM, INT4 g32 against its base, WASM) gives the same perplexity and KL', async () => {
  // the default demo LM, tiny, so two passes over 256 tokens stay within seconds; the second run reuses the
  // cached session, as a person pressing Run again does
  const tiny = await call<ModelSummary>('loadDemo', 'brown-gpt2-tiny');
  const v = await call<VariantSummary>('makeVariant', tiny.id, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu');
  const settings = { backend: 'wasm' as const, tokens: 256, context: 128, stride: 64, throughputRuns: 0 };
  const digits = (r: EvalResult) => {
    const { seconds: _timed, ...p } = r.perplexity;
    return { perplexity: p, kl: r.kl };
  };
  const base = [await call<EvalResult>('evaluate', tiny.id, 'baseline', settings), await call<EvalResult>('evaluate', tiny.id, 'baseline', settings)];
  const int4 = [await call<EvalResult>('evaluate', tiny.id, v.id, settings), await call<EvalResult>('evaluate', tiny.id, v.id, settings)];
  for (const [name, [a, b]] of [['baseline', base], ['INT4 g32', int4]] as const) {
    console.log(`determinism, ${name}: ppl ${a.perplexity.ppl} and ${b.perplexity.ppl}, CI95 ${a.perplexity.ci95?.join('–')}, ${a.perplexity.tokensScored} tokens in ${a.perplexity.windows} windows${a.kl ? `; mean KL ${a.kl.mean} and ${b.kl!.mean}, top-1 ${a.kl.top1}, ppl ratio ${a.kl.pplRatio}` : ''}`);
    expect(digits(b)).toEqual(digits(a));
  }
  expect(int4[0].kl!.mean).toBeGreaterThan(0);
  expect(int4[0].kl!.tokens).toBe(int4[0].perplexity.tokensScored);
});
