/**
 * Published forms in Chromium, second part (the first: e2e/published-forms.spec.ts), on one page:
 *   - bf16: the tiny Llama computing in bf16 (onnxruntime refuses bf16 Einsum / MatMul) is converted
 *     to f32 as it loads and scores like onnxruntime-node on that converted graph; with bf16 weights
 *     + Cast it runs as published; both list 16 bf16 weights and compress;
 *   - weight-only QDQ int8 linears with a GatherBlockQuantized embedding load as a compressed
 *     baseline, evaluate like onnxruntime-node and compress again (INT4 g32) from their float reference;
 *   - the random GPT-2 shape at its smallest (gpt2-tiny, in the git-ignored cache, built when
 *     missing) as KV-cache decoder, MatMulNBits 4-bit + GatherBlockQuantized, and QDQ int8.
 *   - the random gpt2-tiny in fp16 and as Optimum's merged decoder, its q4 form compressed again;
 *     the demo LM as merged decoder, fp16 and QDQ int8 (each compressed again), and with its weights
 *     split over two external data files (model.onnx_data + model.onnx_data_1);
 *   - a DistilBERT-style classifier (no token_type_ids; tools/make_distilbert_fixture.py, random
 *     weights) classifies 120 examples with onnxruntime-node's accuracy, and compresses;
 *   - a RoBERTa-style one (positions from pad + 1 inside the graph, <s> … </s> byte-level BPE;
 *     tools/make_roberta_fixture.py) the same, fed at most 128 of its 130 positions;
 *   - last, on the page reopened with a forced maxStorageBufferBindingSize (workers/capabilities.ts):
 *     the demo LM's early note names the limit and the tensor, and the WebGPU kernels split it.
 * Fixtures: tools/make_published_forms.py, tools/make_random_model.py --shape gpt2-tiny --forms,
 * tools/make_lm_forms.py (tests/lm-forms.ts, into the git-ignored cache when missing).
 * The onnxruntime-node perplexities (scripts/ppl-node.ts) run beside the browser, started first.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import type { ClassificationResult, EvalResult, EvalSettings, ModelSummary, VariantSummary } from '../workers/api';
import { buildModel, gatherFiles } from '../workers/model/load';
import { ensureRandomGpt2Tiny } from '../tests/random-gpt2-tiny';
import { DEMO_EXTERNAL, DEMO_FORMS, ensureLmForms, RANDOM_MERGED } from '../tests/lm-forms';
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
type ClassifiedNode = { accuracy: number; examples: number; predictions: number[] };
let distilbertNode: Promise<ClassifiedNode>;
let robertaNode: Promise<ClassifiedNode>;
const DISTILBERT = 'e2e/fixtures/tiny-distilbert-genre';
const ROBERTA = 'e2e/fixtures/tiny-roberta-genre';

test.beforeAll(async ({ browser }) => {
  ensureRandomGpt2Tiny();
  ensureLmForms();
  const converted = convertedBf16();
  // the references, two at a time beside the browser (each is a short onnxruntime-node process)
  const jobs: [string, () => Promise<Ppl>][] = [
    ['bf16-converted', () => pplNode(converted, 'onnx/model.onnx')],
    ['bf16-cast', () => pplNode(BF16, 'onnx/model.onnx')],
    ['qdq', () => pplNode(QDQ, 'onnx/model.onnx', 'basic')],
    ['random-kv', () => pplNode(RANDOM, 'onnx/decoder_model_merged.onnx')],
    ['random-q4', () => pplNode(RANDOM, 'onnx/model_q4.onnx')],
    ['random-qdq', () => pplNode(RANDOM, 'onnx/model_int8_qdq.onnx', 'basic')],
    ['random-fp16', () => pplNode(RANDOM, 'onnx/model_fp16.onnx')],
    ['random-merged', () => pplNode(RANDOM_MERGED, 'onnx/decoder_model_merged.onnx')],
    ['demo-merged', () => pplNode(DEMO_FORMS, 'onnx/decoder_model_merged.onnx')],
    ['demo-fp16', () => pplNode(DEMO_FORMS, 'onnx/model_fp16.onnx')],
    ['demo-qdq', () => pplNode(DEMO_FORMS, 'onnx/model_int8_qdq.onnx', 'basic')],
    ['demo-external', () => pplNode(DEMO_EXTERNAL, 'onnx/model.onnx')],
  ];
  node = {};
  let chain: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
  jobs.forEach(([k, f], i) => {
    const p = chain[i % 2].then(f);
    chain[i % 2] = p.catch(() => undefined);
    node[k] = p;
    p.catch(() => undefined); // awaited by the test that uses it
  });
  // the classifier's reference after the perplexities (scripts/classify-node.ts: transformers.js' tokenizer + onnxruntime-node)
  const classifyNode = (dir: string) => run(process.execPath, ['--import', 'tsx', 'scripts/classify-node.ts', '--model', dir, '--limit', '120'], { encoding: 'utf8', timeout: 180_000 })
    .then(({ stdout }) => JSON.parse(stdout.trim().split('\n').pop()!) as ClassifiedNode);
  distilbertNode = Promise.all(chain).then(() => classifyNode(DISTILBERT));
  robertaNode = distilbertNode.catch(() => undefined).then(() => classifyNode(ROBERTA));
  for (const p of [distilbertNode, robertaNode]) p.catch(() => undefined); // awaited by the test that uses it
  page = await browser.newPage();
  await open();
  call = <T>(fn: string, ...args: unknown[]) =>
    page.evaluate(([f, a]) => (window as any).harness[f as string](...(a as unknown[])), [fn, args] as const) as Promise<Outcome<T>>;
});
test.afterAll(async () => page?.close());

/** The engine harness page (a fresh worker), with worker URL parameters when given. */
async function open(query = '') {
  await page.goto(`/e2e/harness/engine.html${query}`);
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 60_000 });
}

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

/** INT4 g32 from the float reference, packed, scored once: a real change, within 10 % (recompress's f32-twin
 *  check runs on the bf16 and QDQ tiny Llamas above). */
async function compressOnce(m: ModelSummary, base: EvalResult) {
  const v = ok(await call<VariantSummary>('makeVariant', m.id, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu'));
  const packed = ok(await call<EvalResult>('evaluate', m.id, v.id, WASM));
  expect(packed.form).toBe('packed');
  expect(packed.perplexity.ppl).not.toBe(base.perplexity.ppl);
  expect(Math.abs(packed.perplexity.ppl / base.perplexity.ppl - 1)).toBeLessThan(0.1);
  return `INT4 g32 packed ${packed.perplexity.ppl.toFixed(4)}`;
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

test('the random gpt2-tiny in fp16 and as a merged decoder, and its q4 form compressed again; the demo LM as merged decoder, fp16, QDQ int8 and in two external data files: each scores like onnxruntime-node', async () => {
  // dir, graph, node reference, listed formats, kind, tolerance, compress again
  const cases: [string, string[], string, Record<string, number>, string, number, boolean][] = [
    [RANDOM, ['onnx/model_fp16.onnx'], 'random-fp16', { 'fp16 16': 11 }, 'prefill', 5e-3, false],
    [RANDOM_MERGED, ['onnx/decoder_model_merged.onnx'], 'random-merged', {}, 'kv-cache', 1e-3, false],
    [RANDOM, ['onnx/model_q4.onnx'], 'random-q4', { 'MatMulNBits 4 b32': 9, 'GatherBlockQuantized 4 b32': 1 }, 'prefill', 1e-3, true],
    [DEMO_FORMS, ['onnx/decoder_model_merged.onnx'], 'demo-merged', {}, 'kv-cache', 1e-3, true],
    [DEMO_FORMS, ['onnx/model_fp16.onnx'], 'demo-fp16', { 'fp16 16': 19 }, 'prefill', 5e-3, false],
    [DEMO_FORMS, ['onnx/model_int8_qdq.onnx'], 'demo-qdq', { 'DequantizeLinear 8': 17 }, 'prefill', 1e-3, true],
    [DEMO_EXTERNAL, ['onnx/model.onnx', 'onnx/model.onnx_data', 'onnx/model.onnx_data_1'], 'demo-external', {}, 'prefill', 1e-3, false],
  ];
  const lines: string[] = [];
  for (const [dir, graph, key, listed, kind, tol, again] of cases) {
    const ref = await node[key];
    const t0 = Date.now();
    const m = ok(await call<ModelSummary>('loadFolder', `/${dir}/`, [...JSON_FILES, ...graph]));
    expect(m.graphKind, key).toBe(kind);
    expect(formats(m), key).toEqual(listed);
    expect(m.linearWeights.length, key).toBe(dir === RANDOM || dir === RANDOM_MERGED ? 9 : 17);
    const r = ok(await call<EvalResult>('evaluate', m.id, 'baseline', WASM));
    const int4 = again ? `; ${await compressOnce(m, r)}` : '';
    lines.push(`${key} (${graph[0]}): lab WASM ppl ${r.perplexity.ppl.toFixed(4)}, onnxruntime-node ${ref.ppl.toFixed(4)}${int4} (${((Date.now() - t0) / 1000).toFixed(1)} s in the browser)`);
    near(r, ref, tol);
  }
  console.log(`published forms, 256 tokens:\n  ${lines.join('\n  ')}`);
});

/** An encoder classifier fixture (2 layers, random weights) in the lab: a sequence classifier with the genre
 *  labels and 14 linear weights (query, key, value, attn_out, intermediate, output per layer; the head's
 *  two), whose 120 predictions match onnxruntime-node's (accuracy and how often each label was
 *  predicted), and whose INT8 per-channel variant classifies within 5 points. */
async function encoderClassifies(dir: string, modelType: string, name: string, reference: Promise<ClassifiedNode>) {
  const m = ok(await call<ModelSummary>('loadFolder', `/${dir}/`, JSON_FILES.concat('onnx/model.onnx')));
  expect(m.task).toBe('sequence-classification');
  expect(m.modelType).toBe(modelType);
  expect(m.inputNames).toEqual(['input_ids', 'attention_mask']);
  expect(m.labels).toEqual(['press', 'fiction', 'learned', 'nonfiction']);
  expect(m.linearWeights.length).toBe(2 * 6 + 2);
  const base = ok(await call<ClassificationResult>('classify', m.id, 'baseline', { backend: 'wasm', examples: 120 }));
  const ref = await reference;
  const v = ok(await call<VariantSummary>('makeVariant', m.id, { method: 'int8-channel', options: {} }, 'cpu'));
  const q = ok(await call<ClassificationResult>('classify', m.id, v.id, { backend: 'wasm', examples: 120 }));
  console.log(`tiny ${name} classifier (random weights), 120 examples: lab WASM accuracy ${base.accuracy.toFixed(4)}, onnxruntime-node ${ref.accuracy.toFixed(4)}; INT8 per-channel (${q.form}) ${q.accuracy.toFixed(4)}`);
  expect(base.examples).toBe(120);
  expect(ref.examples).toBe(120);
  expect(base.accuracy).toBe(ref.accuracy);
  const labels = base.confusion[0].map((_, c) => c);
  expect(labels.map((c) => base.confusion.reduce((a, row) => a + row[c], 0))).toEqual(labels.map((c) => ref.predictions.filter((p) => p === c).length));
  expect(Math.abs(q.accuracy - base.accuracy)).toBeLessThan(0.05);
}

test('a DistilBERT-style classifier (no token_type_ids) classifies like onnxruntime-node and compresses', async () => {
  await encoderClassifies(DISTILBERT, 'distilbert', 'DistilBERT-style', distilbertNode);
});

test('a RoBERTa-style classifier (positions from pad + 1 in the graph, <s> … </s>, no token_type_ids) classifies like onnxruntime-node and compresses', async () => {
  // long texts fill 128 tokens: fed 130 (max_position_embeddings), position 131 is past the table and the run fails
  await encoderClassifies(ROBERTA, 'roberta', 'RoBERTa-style', robertaNode);
});

test('a forced maxStorageBufferBindingSize: the demo LM\'s early note names the limit and the tensor, and the WebGPU kernels split that tensor into what the CPU reference makes', async () => {
  const MiB = 2 ** 20;
  await open(`?maxStorageBufferBindingSize=${MiB}`);
  const caps = await page.evaluate(() => (window as any).harness.capabilities());
  test.skip(!caps.webgpu, `no WebGPU here: ${caps.webgpuReason}`);
  expect(caps.gpuLimits).toMatchObject({ maxStorageBufferBindingSize: MiB, forced: true });
  const m = ok(await load('models/brown-gpt2-tiny', 'onnx/model.onnx'));
  // the 8192 × 64 f32 embedding (2 MiB) is the largest tensor; its transposed copy, the head, the largest linear
  expect(m.limitNote).toBe("transformer.wte.weight (2.0 MiB) is over this adapter's maxStorageBufferBindingSize of 1.0 MiB: the compression kernels run such a tensor in chunks");
  // the LM head opted in (left f32 by default): it is the tensor that needs the chunks
  const spec = { method: 'int8-channel', options: {}, head: true };
  const gpu = ok(await call<VariantSummary>('makeVariant', m.id, spec, 'webgpu'));
  const cpu = ok(await call<VariantSummary>('makeVariant', m.id, spec, 'cpu'));
  // only lm_head (64 × 8192 in_out, 2 MiB) is over 1 MiB: 4096 output channels a chunk
  expect(gpu.tensors.filter((t) => t.chunks).map((t) => [t.name, t.chunks])).toEqual([['lm_head.weight', 2]]);
  // the affine WGSL sums its error in the kernel in f32 (shared/affine-quantize.wgsl), the TS in double: within 1e-5 relative
  expect(gpu.tensors.map((t) => t.name)).toEqual(cpu.tensors.map((t) => t.name));
  gpu.tensors.forEach((t, k) => {
    const c = cpu.tensors[k]!;
    for (const key of ['relFrobeniusError', 'sqnrDb', 'maxAbsError'] as const) expect(Math.abs(t[key]! - c[key]!), `${t.name} ${key}`).toBeLessThanOrEqual(1e-5 * Math.abs(c[key]!));
  });
  const [a, b] = [ok(await call<EvalResult>('evaluate', m.id, gpu.id, WASM)), ok(await call<EvalResult>('evaluate', m.id, cpu.id, WASM))];
  console.log(`demo LM, forced maxStorageBufferBindingSize 1 MiB: note "${m.limitNote}"; INT8 per-channel made on WebGPU (lm_head in 2 chunks) ppl ${a.perplexity.ppl.toFixed(6)}, on CPU ${b.perplexity.ppl.toFixed(6)} (256 tokens, WASM)`);
  expect(a.perplexity.ppl).toBe(b.perplexity.ppl);
});
