/**
 * Packed variants in real Chromium, through the engine worker: the model that is evaluated is the
 * packed ONNX (MatMulNBits, int8 + DequantizeLinear, fp16 + Cast, dense f32 for pruning), and on both onnxruntime-web
 * backends its perplexity equals its dequantized f32 twin's within 1e-4 (helpers/packing-bug.ts; the issue asks 0.5 %), so a packing bug
 * cannot hide behind "close enough". Then: two variants doing identical work (baseline and a
 * 0 % prune) read the same speed within their spread when timed interleaved; the exported zip
 * loads in onnxruntime-node (its own loader, transformers.js' tokenizer) with the lab's perplexity.
 * If a packed/simulated pair differs: run workers/formats/packed-model.test.ts (the same forms in
 * onnxruntime-node) to tell a packing bug from an execution-provider difference.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { expect, test, type Page } from '@playwright/test';
import type { EvalResult, EvalSettings, ExportGraphInfo, ModelSummary, SpeedResult, VariantSpec, VariantSummary } from '../workers/api';
import { METHOD_IDS } from '../workers/api';
import { ok, type Outcome } from './harness/outcome';
import { nodeRefAsync, type NodePpl } from './helpers/node-ref';
import { PACKING_BUG } from './helpers/packing-bug';
import { EP_RUNS, FORM_IDS, type EpVerdict } from '../workers/formats/ep-support';

const MODEL = 'brown-gpt2';

// the LM head opted in (the lab leaves it f32 by default): its vocabulary-wide packed MatMul is the
// largest of each form, and with it f32 the tiny LM's packed model is not a quarter smaller
const SPECS: VariantSpec[] = [
  { method: 'int4-group', options: { groupSize: 32 }, head: true },
  { method: 'int8-channel', options: {}, head: true },
  { method: 'magnitude-prune', options: { ratio: 0.5 }, head: true },
  ...((METHOD_IDS as readonly string[]).includes('fp16') ? [{ method: 'fp16' as VariantSpec['method'], options: {}, head: true }] : []),
];

async function open(page: Page, name = MODEL, query = ''): Promise<ModelSummary> {
  page.on('console', (m) => m.type() === 'error' && console.log(`[page error] ${m.text()}`));
  await page.goto(`/e2e/harness/engine.html${query}`);
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 60_000 });
  return ok(await call<Outcome<ModelSummary>>(page, 'loadDemo', name));
}

const call = <T>(page: Page, fn: string, ...args: unknown[]): Promise<T> =>
  page.evaluate(([f, a]) => (window as any).harness[f as string](...(a as unknown[])), [fn, args] as const) as Promise<T>;


async function packedVsSimulated(page: Page, backend: 'wasm' | 'webgpu', base: EvalSettings, specs: VariantSpec[], name = MODEL) {
  const model = await open(page, name);
  for (const spec of specs) {
    const v = ok(await call<Outcome<VariantSummary>>(page, 'makeVariant', model.id, spec, 'cpu'));
    const packed = ok(await call<Outcome<EvalResult>>(page, 'evaluate', model.id, v.id, { ...base, backend, form: 'packed' }));
    const simulated = ok(await call<Outcome<EvalResult>>(page, 'evaluate', model.id, v.id, { ...base, backend, form: 'simulated' }));
    const rel = packed.perplexity.ppl / simulated.perplexity.ppl - 1;
    console.log(`${backend} ${v.label.padEnd(14)} ${v.format.padEnd(34)} packed ${(v.packedBytes / 2 ** 20).toFixed(2)} MiB gzip ${(v.gzipBytes / 2 ** 20).toFixed(2)} MiB (f32 ${(v.f32Bytes / 2 ** 20).toFixed(2)}); ppl packed ${packed.perplexity.ppl.toFixed(4)} simulated ${simulated.perplexity.ppl.toFixed(4)} (${(rel * 100).toFixed(4)} %)`);
    expect(packed.form, `${v.label} on ${backend}: the packed model ran (${packed.formReason ?? ''})`).toBe('packed');
    // the form form-of.ts writes for INT8 per channel (docs/int8-form.md): the one checked here on both EPs
    if (spec.method === 'int8-channel') expect(v.format).toBe('int8 + DequantizeLinear (per channel)');
    expect(simulated.form).toBe('simulated');
    expect(packed.perplexity.tokensScored).toBe(simulated.perplexity.tokensScored);
    expect(Math.abs(rel), `${v.label} on ${backend}: packed vs simulated perplexity`).toBeLessThan(PACKING_BUG);
    if (v.storage === 'packed') expect(v.packedBytes).toBeLessThan(v.f32Bytes * 0.75);
    expect(v.gzipBytes).toBeLessThan(v.packedBytes);
  }
}

test('each EP runs exactly the forms EP_RUNS says (one tiny graph per form, against the f32 maths)', async ({ page }) => {
  test.setTimeout(3 * 60_000);
  page.on('console', (m) => m.type() === 'error' && console.log(`[page error] ${m.text()}`));
  await page.goto('/e2e/harness/engine.html');
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 60_000 });
  for (const backend of ['wasm', 'webgpu'] as const) {
    const rows = ok(await call<Outcome<{ id: string; verdict: EpVerdict; detail: string }[]>>(page, 'probeForms', backend));
    for (const r of rows) console.log(`${backend.padEnd(6)} ${r.id.padEnd(20)} ${String(r.verdict).padEnd(8)} ${r.detail}`);
    expect(rows.map((r) => r.id)).toEqual([...FORM_IDS]);
    const found = Object.fromEntries(rows.map((r) => [r.id, r.verdict]));
    const table = Object.fromEntries(FORM_IDS.map((id) => [id, EP_RUNS[id][backend]]));
    expect(found, `${backend}: what the EP did vs workers/formats/ep-support.ts EP_RUNS`).toEqual(table);
  }
});

test('WASM: every packed variant has its f32 twin\'s perplexity', async ({ page }) => {
  test.setTimeout(8 * 60_000);
  // two full windows: the packed and the twin graph each run whole (the last clean run read 0.0000 % for every form
  // over 1024 tokens, against the 0.5 % allowed; methods-packed.spec.ts checks its forms over 512 the same way)
  await packedVsSimulated(page, 'wasm', { backend: 'wasm', tokens: 512, context: 256, stride: 256, throughputRuns: 0 }, SPECS);
});

test('WebGPU: every packed variant has its f32 twin\'s perplexity', async ({ page }) => {
  test.setTimeout(12 * 60_000);
  // pruned variants are plain f32 graphs, the baseline's path: the packed forms are what WebGPU must be checked on
  const packedForms = SPECS.filter((s) => s.method !== 'magnitude-prune');
  // on the small default demo LM: SwiftShader ran brown-gpt2's twins in 2.5 min; the forms are the same ops
  await packedVsSimulated(page, 'webgpu', { backend: 'webgpu', tokens: 128, context: 64, stride: 64, throughputRuns: 0 }, packedForms, 'brown-gpt2-tiny');
});

test('identical work reads identical speed: baseline vs 0 % prune, interleaved', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  const model = await open(page);
  const zero = ok(await call<Outcome<VariantSummary>>(page, 'makeVariant', model.id, { method: 'magnitude-prune', options: { ratio: 0 } }, 'cpu'));
  const int4 = ok(await call<Outcome<VariantSummary>>(page, 'makeVariant', model.id, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu'));
  const speed = ok(await call<Outcome<SpeedResult[]>>(page, 'compareSpeed', model.id, ['baseline', zero.id, int4.id], { backend: 'wasm', seqLen: 128, runs: 15, warmup: 2 }));
  for (const s of speed) console.log(`wasm prefill seq 128: ${s.variantId.padEnd(48)} median ${s.medianMs.toFixed(2)} ms (p10 ${s.p10Ms.toFixed(2)}, p90 ${s.p90Ms.toFixed(2)}), ${s.tokensPerS.toFixed(0)} tok/s, ${s.wasmThreads} threads`);
  const [a, b] = speed;
  expect(a.runsMs.length).toBe(15);
  expect(a.interleavedWith).toEqual([zero.id, int4.id]); // names the others; the A B C order itself: workers/eval/speed.test.ts
  // the same work: each median lies inside the other's p10–p90 band widened by 10 % (timer noise on a shared CPU)
  const inside = (x: SpeedResult, y: SpeedResult) => x.medianMs >= y.p10Ms * 0.9 && x.medianMs <= y.p90Ms * 1.1;
  expect(inside(a, b) || inside(b, a), `baseline ${a.medianMs.toFixed(2)} ms vs 0 % prune ${b.medianMs.toFixed(2)} ms`).toBe(true);
});

test('the exported zip loads in onnxruntime-node with the lab\'s perplexity; a refused packed model falls back to its twin, labelled', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  const model = await open(page, MODEL, '?debug=1');
  const v = ok(await call<Outcome<VariantSummary>>(page, 'makeVariant', model.id, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu'));
  const settings: EvalSettings = { backend: 'wasm', tokens: 2048, context: 256, stride: 256, throughputRuns: 0 };
  const lab = ok(await call<Outcome<EvalResult>>(page, 'evaluate', model.id, v.id, settings));
  const exp = ok(await call<Outcome<{ fileName: string; base64: string; files: { path: string; bytes: number }[]; graph: ExportGraphInfo }>>(page, 'exportVariant', model.id, v.id, [lab]));
  const dir = join('test-results', 'exports', exp.fileName.replace(/\.zip$/, ''));
  rmSync(dir, { recursive: true, force: true });
  const files = unzipSync(Buffer.from(exp.base64, 'base64'));
  expect(Object.keys(files).sort()).toEqual(['MODEL_CARD.md', 'config.json', 'lab-variant.json', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json']);
  for (const [p, b] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), b);
  }
  const card = new TextDecoder().decode(files['MODEL_CARD.md']);
  // onnx/model.onnx is the variant made again on the demo's KV-cache decoder, so transformers.js generates
  // (workers/variants/export-graph.ts; its generate() is checked in workers/variants/export-generate.test.ts);
  // the card gives the bytes written and those of the graph evaluated
  expect(exp.graph).toMatchObject({ kind: 'kv-cache', generates: true, remade: true });
  expect(card).toContain(`${files['onnx/model.onnx'].length.toLocaleString('en-US')} bytes`);
  expect(card).toContain(`${v.packedBytes.toLocaleString('en-US')} bytes`);
  // the card's fields: source model, method, settings, bits/weight, the lab's ppl, what was compressed and what was left f32
  expect(card).toContain(`from **${model.name}**`);
  expect(card).toContain('- Method: int4-group (groupSize = 32)');
  expect(card).toContain(`Mean ${v.bitsPerWeight.toFixed(3)} bits per weight`);
  expect(card).toContain(`| this variant | ${lab.perplexity.ppl.toFixed(3)} | wasm | packed |`);
  expect(card).toContain('MatMulNBits 4-bit, block 32');
  expect(v.leftFloat?.length, 'the LM head stays f32 by default').toBeGreaterThan(0);
  expect(card).toContain(`- Compressed: ${v.tensors.length} of ${v.tensors.length + v.leftFloat!.length} linear weights`);
  for (const t of v.tensors) expect(card).toContain(`\`${t.name}\``);
  expect(card).toContain(`- Left f32: ${v.leftFloat!.map((t) => `\`${t.name}\``)[0]}`);
  for (const t of v.leftFloat!) expect(card).toContain(t.why);
  expect(card).not.toContain('Every linear weight');
  // onnxruntime-node on the unzipped folder, running while the page does the fallback checks below; compared at the end
  const reference = nodeRefAsync<NodePpl>('scripts/ppl-node.ts', ['--model', dir, '--tokens', '2048', '--context', '256', '--stride', '256']);

  // where the EP refuses a packed model (the debug hook makes every packed session fail as a refusal
  // does), evaluate, prefillSpeed, generate and compareSpeed run the f32 twin and say so
  const fallbackStart = Date.now();
  ok(await call<Outcome<void>>(page, 'debug', 'packed-session-fails'));
  const small: EvalSettings = { backend: 'wasm', tokens: 256, context: 256, stride: 256, throughputRuns: 0 };
  const refused = /wasm could not run the packed model \(.*refused by the debug hook/;
  const ev = ok(await call<Outcome<EvalResult>>(page, 'evaluate', model.id, v.id, small));
  const pre = ok(await call<Outcome<{ form?: string; formReason?: string }>>(page, 'prefillSpeed', model.id, v.id, { backend: 'wasm', batch: 1, seqLen: 32, runs: 1, warmup: 0 }));
  const gen = ok(await call<Outcome<{ form: string; formReason?: string }>>(page, 'generate', model.id, v.id, { backend: 'wasm', prompt: 'The', maxNewTokens: 2 }));
  const cmp = ok(await call<Outcome<SpeedResult[]>>(page, 'compareSpeed', model.id, ['baseline', v.id], { backend: 'wasm', seqLen: 32, runs: 1, warmup: 0 }));
  for (const [what, r] of [['evaluate', ev], ['prefillSpeed', pre], ['generate', gen], ['compareSpeed', cmp[1]]] as const) {
    expect(r.form, what).toBe('simulated');
    expect(r.formReason, what).toMatch(refused);
  }
  expect(cmp[0].form).toBe('packed');
  expect(cmp[0].formReason).toBeUndefined();
  console.log(`fallback checks: ${((Date.now() - fallbackStart) / 1000).toFixed(1)} s`);

  const node = await reference;
  const gap = node.ppl / lab.perplexity.ppl - 1;
  console.log(`export ${exp.fileName}: lab WASM ppl ${lab.perplexity.ppl.toFixed(6)}, onnxruntime-node on the unzipped folder ${node.ppl.toFixed(6)} (relative gap ${gap.toExponential(2)})`);
  expect(node.tokensScored).toBe(lab.perplexity.tokensScored);
  // the issue promises 0.5 %; the same compressed weights differ only in accumulation order, and a
  // bad block scale moves ppl 0.03-0.14 %, so the packing-bug bound holds here too
  expect(Math.abs(gap)).toBeLessThan(PACKING_BUG);
});

// The default demo LM only: tests/demo-lm-response.test.ts reproduces all three demo LMs' responses
// with the lab's kernels and packed models in onnxruntime-node, and the packed models score the same
// in Chromium (the packed-vs-twin tests above); brown-gpt2 (24.5 s) and the mini (14.7 s) here added
// nothing but CI time.
const RESPONSE_LM = 'brown-gpt2-tiny';
test(`the lab on WASM reproduces ${RESPONSE_LM}'s compression response measured outside it`, async ({ page }) => {
  const name = RESPONSE_LM;
  test.skip(!existsSync(`public/models/${name}/metrics.json`), `${name} is not built`);
  test.setTimeout(8 * 60_000);
  const metrics = JSON.parse(readFileSync(`public/models/${name}/metrics.json`, 'utf8'));
  const response: Record<string, { ppl: number; tokens: number; context: number; stride: number }> = metrics.compression_response;
  // tools/compression_response.py compressed every linear weight with the LM head: the head opted in (the lab's default leaves it f32)
  const lab: Record<string, VariantSpec> = {
    int8_channel: { method: 'int8-channel', options: {}, head: true },
    int4_g32: { method: 'int4-group', options: { groupSize: 32 }, head: true },
    int2_g32: { method: 'rtn', options: { bits: 2, groupSize: 32, symmetric: false }, head: true },
    prune_50: { method: 'magnitude-prune', options: { ratio: 0.5 }, head: true },
    prune_90: { method: 'magnitude-prune', options: { ratio: 0.9 }, head: true },
  };
  const model = await open(page, name);
  const r0 = response.baseline;
  const settings: EvalSettings = { backend: 'wasm', tokens: r0.tokens, context: r0.context, stride: r0.stride, throughputRuns: 0 };
  const base = ok(await call<Outcome<EvalResult>>(page, 'evaluate', model.id, 'baseline', settings));
  expect(Math.abs(base.perplexity.ppl / r0.ppl - 1)).toBeLessThan(0.005);
  for (const [key, spec] of Object.entries(lab)) {
    const v = ok(await call<Outcome<VariantSummary>>(page, 'makeVariant', model.id, spec, 'cpu'));
    const got = ok(await call<Outcome<EvalResult>>(page, 'evaluate', model.id, v.id, settings));
    console.log(`${name} ${key}: tools/compression_response.py ${response[key].ppl.toFixed(3)}, lab WASM ${got.form} ${got.perplexity.ppl.toFixed(3)}`);
    expect(got.form).toBe('packed');
    expect(Math.abs(got.perplexity.ppl / response[key].ppl - 1), key).toBeLessThan(0.005);
  }
});
