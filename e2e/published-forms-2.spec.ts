/**
 * Published forms in Chromium, second part (the first: e2e/published-forms.spec.ts), on one page:
 *   - bf16: the tiny Llama computing in bf16 (onnxruntime refuses bf16 Einsum / MatMul) is converted
 *     to f32 as it loads and scores like onnxruntime-node on that converted graph; with bf16 weights
 *     + Cast it runs as published; both list 16 bf16 weights and compress;
 *   - weight-only QDQ int8 linears with a GatherBlockQuantized embedding load as a compressed
 *     baseline, evaluate like onnxruntime-node and compress again (INT4 g32) from their float reference;
 *   - the random GPT-2 shape at its smallest (gpt2-tiny, in the git-ignored cache, built when
 *     missing) as KV-cache decoder, MatMulNBits 4-bit + GatherBlockQuantized, and QDQ int8.
 * Fixtures: tools/make_published_forms.py, tools/make_random_model.py --shape gpt2-tiny --forms.
 * The onnxruntime-node perplexities (scripts/ppl-node.ts) run beside the browser, started first.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import type { EvalResult, EvalSettings, ModelSummary, VariantSummary } from '../workers/api';
import { buildModel, gatherFiles } from '../workers/model/load';
import { ensureRandomGpt2Tiny } from '../tests/random-gpt2-tiny';
import { ok, type Outcome } from './harness/outcome';

test.describe.configure({ mode: 'serial' });

const JSON_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
const WASM: EvalSettings = { backend: 'wasm', tokens: 256, context: 256, stride: 256, throughputRuns: 0 };
const BF16 = 'e2e/fixtures/tiny-llama-bf16';
const QDQ = 'e2e/fixtures/tiny-llama-qdq';
const RANDOM = '.cache/models/random-gpt2-tiny';

type Ppl = { ppl: number; tokensScored: number };
const run = promisify(execFile);
/** `optimization` 'basic' for QDQ: on x86, onnxruntime-node's extended rewrites run DequantizeLinear → MatMul
 *  as MatMulNBits 8-bit with 8-bit activations (0.3 % off the file's own arithmetic); onnxruntime-web does not */
const pplNode = async (folder: string, graph: string, optimization = 'all'): Promise<Ppl> => {
  // node --import tsx rather than npx tsx: 0.6 s less CPU per reference, six of them
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/ppl-node.ts', '--model', folder, '--onnx', graph, '--tokens', '256', '--context', '256', '--stride', '256', '--optimization', optimization], { encoding: 'utf8', timeout: 180_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!);
};

/** The lab's own conversion of the bf16 graph (what its baseline evaluates), written for onnxruntime-node. */
function convertedBf16(): string {
  // a temporary folder: test-results/ is emptied by any other Playwright run that starts meanwhile
  const out = mkdtempSync(join(tmpdir(), 'bf16-converted-'));
  mkdirSync(join(out, 'onnx'), { recursive: true });
  const files = [...JSON_FILES, 'onnx/model_bf16.onnx'].map((p) => {
    const b = readFileSync(join(BF16, p));
    return { path: p, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  });
  const m = buildModel(gatherFiles(files), 'a');
  writeFileSync(join(out, 'onnx/model.onnx'), m.baselineBytes);
  for (const f of JSON_FILES) copyFileSync(join(BF16, f), join(out, f));
  return out;
}

let page: Page;
let call: <T>(fn: string, ...args: unknown[]) => Promise<Outcome<T>>;
let node: Record<string, Promise<Ppl>>;

test.beforeAll(async ({ browser }) => {
  ensureRandomGpt2Tiny();
  const converted = convertedBf16();
  // the references, two at a time beside the browser (each is a short onnxruntime-node process)
  const jobs: [string, () => Promise<Ppl>][] = [
    ['bf16-converted', () => pplNode(converted, 'onnx/model.onnx')],
    ['bf16-cast', () => pplNode(BF16, 'onnx/model.onnx')],
    ['qdq', () => pplNode(QDQ, 'onnx/model.onnx', 'basic')],
    ['random-kv', () => pplNode(RANDOM, 'onnx/decoder_model_merged.onnx')],
    ['random-q4', () => pplNode(RANDOM, 'onnx/model_q4.onnx')],
    ['random-qdq', () => pplNode(RANDOM, 'onnx/model_int8_qdq.onnx', 'basic')],
  ];
  node = {};
  let chain: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
  jobs.forEach(([k, f], i) => {
    const p = chain[i % 2].then(f);
    chain[i % 2] = p.catch(() => undefined);
    node[k] = p;
    p.catch(() => undefined); // awaited by the test that uses it
  });
  page = await browser.newPage();
  await page.goto('/e2e/harness/engine.html');
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 60_000 });
  call = <T>(fn: string, ...args: unknown[]) =>
    page.evaluate(([f, a]) => (window as any).harness[f as string](...(a as unknown[])), [fn, args] as const) as Promise<Outcome<T>>;
});
test.afterAll(async () => page?.close());

const formats = (m: ModelSummary) => {
  const counts: Record<string, number> = {};
  for (const w of m.published?.weights ?? []) {
    const k = `${w.format} ${w.bits}${w.blockSize ? ` b${w.blockSize}` : ''}`;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
};
const load = (dir: string, graph: string) => call<ModelSummary>('loadFolder', `/${dir}/`, [...JSON_FILES, graph]);
const near = (a: EvalResult, ref: Ppl, tol = 1e-3) => {
  expect(a.perplexity.tokensScored).toBe(ref.tokensScored);
  expect(Math.abs(a.perplexity.ppl / ref.ppl - 1)).toBeLessThan(tol);
};
/** INT4 g32 from the float reference: packed, equal to its f32 twin, not the baseline. */
async function recompress(m: ModelSummary, base: EvalResult) {
  const v = ok(await call<VariantSummary>('makeVariant', m.id, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu'));
  const packed = ok(await call<EvalResult>('evaluate', m.id, v.id, WASM));
  const twin = ok(await call<EvalResult>('evaluate', m.id, v.id, { ...WASM, form: 'simulated' }));
  expect(packed.form).toBe('packed');
  expect(Math.abs(packed.perplexity.ppl / twin.perplexity.ppl - 1)).toBeLessThan(1e-4);
  expect(packed.perplexity.ppl).not.toBe(base.perplexity.ppl);
  return `INT4 g32 packed ${packed.perplexity.ppl.toFixed(4)} (f32 twin ${twin.perplexity.ppl.toFixed(4)})`;
}

test('bf16: a graph computing in bf16 is converted on load and scores like onnxruntime-node on the converted graph; bf16 weights + Cast run as published', async () => {
  const whole = ok(await load(BF16, 'onnx/model_bf16.onnx'));
  expect(whole.published?.compute).toBe('bf16');
  expect(formats(whole)).toEqual({ 'bf16 16': 16 });
  expect(whole.linearWeights.length).toBe(15);
  const a = ok(await call<EvalResult>('evaluate', whole.id, 'baseline', WASM));
  const cast = ok(await load(BF16, 'onnx/model.onnx'));
  expect(cast.published?.compute).toBe('f32');
  expect(formats(cast)).toEqual({ 'bf16 16': 16 });
  const b = ok(await call<EvalResult>('evaluate', cast.id, 'baseline', WASM));
  const [nodeConverted, nodeCast] = [await node['bf16-converted'], await node['bf16-cast']];
  const int4 = await recompress(whole, a);
  console.log(`tiny llama bf16, 256 tokens, lab WASM: model_bf16.onnx converted on load ppl ${a.perplexity.ppl.toFixed(4)} (${a.form}) vs onnxruntime-node on the lab's converted graph ${nodeConverted.ppl.toFixed(4)}; ` +
    `model.onnx (bf16 weights + Cast, run as published) ${b.perplexity.ppl.toFixed(4)} vs onnxruntime-node on that file ${nodeCast.ppl.toFixed(4)}; from the bf16 graph ${int4}`);
  near(a, nodeConverted);
  near(b, nodeCast);
});

test('QDQ int8 linears + a GatherBlockQuantized embedding: a compressed baseline scored like onnxruntime-node, compressed again from its float reference', async () => {
  const m = ok(await load(QDQ, 'onnx/model.onnx'));
  expect(formats(m)).toEqual({ 'DequantizeLinear 8': 15, 'GatherBlockQuantized 4 b32': 1 });
  expect(m.linearWeights.length).toBe(15);
  const base = ok(await call<EvalResult>('evaluate', m.id, 'baseline', WASM));
  const ref = await node.qdq;
  const int4 = await recompress(m, base);
  console.log(`tiny llama QDQ int8 + GatherBlockQuantized, 256 tokens: lab WASM published ppl ${base.perplexity.ppl.toFixed(4)} (${base.form}), onnxruntime-node (basic optimizations) ${ref.ppl.toFixed(4)}; ${int4}`);
  expect(base.form).toBe('packed');
  near(base, ref);
});

test('the random GPT-2 shape (gpt2-tiny) as KV-cache decoder, MatMulNBits 4-bit + GatherBlockQuantized and QDQ int8 scores like onnxruntime-node', async () => {
  const cases: [string, string, Record<string, number>][] = [
    ['onnx/decoder_model_merged.onnx', 'random-kv', {}],
    ['onnx/model_q4.onnx', 'random-q4', { 'MatMulNBits 4 b32': 9, 'GatherBlockQuantized 4 b32': 1 }],
    ['onnx/model_int8_qdq.onnx', 'random-qdq', { 'DequantizeLinear 8': 9 }],
  ];
  for (const [graph, key, listed] of cases) {
    const m = ok(await load(RANDOM, graph));
    expect(m.graphKind).toBe(graph.includes('decoder') ? 'kv-cache' : 'prefill');
    expect(formats(m)).toEqual(listed);
    expect(m.linearWeights.length).toBe(9);
    const r = ok(await call<EvalResult>('evaluate', m.id, 'baseline', WASM));
    const ref = await node[key];
    console.log(`random gpt2-tiny ${graph}, 256 tokens: lab WASM ppl ${r.perplexity.ppl.toFixed(4)} (${m.graphKind}), onnxruntime-node ${ref.ppl.toFixed(4)}${key === 'random-qdq' ? ' (basic optimizations)' : ''}`);
    near(r, ref);
  }
});
