/**
 * The new methods' packed forms through the engine worker in real Chromium (issue 9): NF4 as
 * MatMulBnb4, INT2 symmetric rows as MatMulNBits bits=2, and prune 50 % → INT4 (VariantSpec.then)
 * run on both onnxruntime-web backends with their f32 twin's perplexity (within 1e-4, helpers/packing-bug.ts; the issue asks 0.5 %); INT3 is
 * stored f32 and says so. On WebGPU the variants are made by the WGSL kernels and must carry the
 * same per-tensor stats as the TS kernels' (global-prune included: its pass over all tensors), the
 * ones the affine WGSL sums in f32 within 1e-5 relative. NF4 and, on the tiny demo LM, INT2 g32,
 * AWQ-4 and the INT4 and INT8 token tables (GatherBlockQuantized) run on the WebGPU EP
 * with their twin's perplexity, few tokens each; the INT8 forms' ops are placed on the WebGPU EP
 * itself (ORT's node placements), not on the CPU EP inside the WebGPU session.
 */
import { expect, test, type Page } from '@playwright/test';
import type { EvalResult, EvalSettings, ModelSummary, VariantSpec, VariantSummary } from '../workers/api';
import { ok, type Outcome } from './harness/outcome';
import { PACKING_BUG } from './helpers/packing-bug';
import { EP_RUNS, type FormId } from '../workers/formats/ep-support';
import type { PlacementRow, PlacementRun } from './harness/ep-placement.worker';

const SPECS: VariantSpec[] = [
  { method: 'nf4', options: {} },
  { method: 'rtn', options: { bits: 2, groupSize: 0, symmetric: true } },
  { method: 'magnitude-prune', options: { ratio: 0.5 }, then: { method: 'rtn', options: { bits: 4, groupSize: 32 } } },
  // 8-bit MatMulNBits as rtnForm writes it (symmetric codes offset by 128, groups of 64)
  { method: 'rtn', options: { bits: 8, groupSize: 64, symmetric: true } },
  // INT2 with a zero point per group (4 to a byte): the symmetric rows above store one constant zero point
  { method: 'rtn', options: { bits: 2, groupSize: 32, symmetric: false } },
  // the tied head as 8-bit MatMulNBits and the token table read from its bytes by GatherBlockQuantized (gbq8)
  { method: 'int8-channel', options: {}, embeddings: true },
];

const call = <T>(page: Page, fn: string, ...args: unknown[]): Promise<T> =>
  page.evaluate(([f, a]) => (window as any).harness[f as string](...(a as unknown[])), [fn, args] as const) as Promise<T>;

async function open(page: Page): Promise<ModelSummary> {
  page.on('console', (m) => m.type() === 'error' && console.log(`[page error] ${m.text()}`));
  await page.goto('/e2e/harness/engine.html');
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 60_000 });
  return ok(await call<Outcome<ModelSummary>>(page, 'loadDemo', 'brown-gpt2'));
}

/**
 * The packed model's perplexity vs its f32 twin's (within 0.5 %). `forms`: the packed forms the
 * variant uses; where EP_RUNS says the backend refuses one, the lab runs the twin instead and the
 * result must say so (labelled simulated, with the EP's refusal as the reason).
 */
async function packedEqualsTwin(page: Page, model: ModelSummary, v: VariantSummary, settings: EvalSettings, forms: FormId[] = []) {
  const packed = ok(await call<Outcome<EvalResult>>(page, 'evaluate', model.id, v.id, { ...settings, form: 'packed' }));
  const twin = ok(await call<Outcome<EvalResult>>(page, 'evaluate', model.id, v.id, { ...settings, form: 'simulated' }));
  const rel = packed.perplexity.ppl / twin.perplexity.ppl - 1;
  console.log(`${settings.backend} ${v.label.padEnd(26)} ${v.format.padEnd(30)} ${v.bitsPerWeight.toFixed(3)} bits: ${packed.form} ${packed.perplexity.ppl.toFixed(4)} twin ${twin.perplexity.ppl.toFixed(4)} (${(rel * 100).toFixed(4)} %) over ${packed.perplexity.tokensScored} tokens`);
  const refused = forms.filter((f) => EP_RUNS[f][settings.backend] !== true);
  if (refused.length) {
    expect(packed.form, `${v.label}: ${settings.backend} refuses ${refused.join(', ')} (EP_RUNS)`).toBe('simulated');
    expect(packed.formReason).toMatch(new RegExp(`^${settings.backend} could not run the packed model`));
  } else expect(packed.form, `${v.label}: the packed model ran (${packed.formReason ?? ''})`).toBe('packed');
  expect(packed.perplexity.tokensScored).toBe(twin.perplexity.tokensScored);
  expect(Math.abs(rel), `${v.label} on ${settings.backend}`).toBeLessThan(PACKING_BUG);
}

/**
 * Packed forms whose perplexity the other WebGPU tests never check (only e2e/packed.spec.ts's
 * one-op probe runs them there), each on the smallest demo LM, by the TS kernels (the WGSL ones are
 * compared above): 2-bit MatMulNBits with zero points, AWQ's 1/s (folded into the LayerNorms, a Mul
 * before the others) and the token table read by GatherBlockQuantized ("embedding too", the tied head
 * as 4-bit and as 8-bit MatMulNBits). AWQ calibrates on one sequence: its twin is made again, calibration and all.
 * The four cost 43-51 s of SwiftShader (load 7-15 on 2 cores), the first MatMulNBits session most of it.
 */
const WEBGPU_FORMS: { spec: VariantSpec; forms: FormId[]; tokens?: number }[] = [
  { spec: { method: 'rtn', options: { bits: 2, groupSize: 32, symmetric: false } }, forms: ['nbits2'] },
  { spec: { method: 'awq', options: { bits: 4, groupSize: 32, samples: 1 } }, forms: ['nbits4-input-scale'] },
  { spec: { method: 'int4-group', options: { groupSize: 32 }, embeddings: true }, forms: ['gbq4', 'nbits4'] },
  // INT8 with the token table: the table read by GatherBlockQuantized 8-bit (gbq8) from the tied
  // head's 8-bit MatMulNBits (block 64) bytes, the other layers int8 + DequantizeLinear. It stands
  // for RTN INT8 g64 here too (8-bit MatMulNBits, checked on WASM above): the same 8-bit kernel, and
  // the Gemm's bias Add is the 2- and 4-bit forms' too. 32 tokens: the vocabulary-wide 8-bit head
  // is slow on SwiftShader (one packed evaluation of 64 tokens 18.6-29.8 s, its f32 twin 1.3-1.6 s,
  // load ~15), and 32 still see one doubled block scale of the table (see PACKING_BUG)
  { spec: { method: 'int8-channel', options: {}, embeddings: true }, forms: ['gbq8', 'nbits8', 'qdq-int8'], tokens: 32 },
];

/**
 * Where the WebGPU session puts the op of each form (ep-placement.worker.ts, ORT's verbose "Node
 * placements" on ep-probe.ts's one-op graphs): a packed form that "runs" on WebGPU could still run
 * on the CPU EP inside the WebGPU session, and the perplexity pair would not see it.
 */
async function placedOn(page: Page, runs: PlacementRun[]): Promise<PlacementRow[][]> {
  const rows = await page.evaluate((runs) => new Promise<PlacementRow[][] | { error: string }>((resolve) => {
    const w = new Worker(new URL('/e2e/harness/ep-placement.worker.ts', location.href), { type: 'module' });
    w.onmessage = (e) => { resolve(e.data); w.terminate(); };
    w.postMessage(runs);
  }), runs);
  if ('error' in rows) throw new Error(`ep-placement.worker: ${rows.error}`);
  return rows;
}

/** The packed form's own op in each probe graph (the one that reads the packed weight). */
const FORM_OP: Partial<Record<FormId, string>> = { 'gbq8': 'GatherBlockQuantized', 'nbits8': 'MatMulNBits', 'qdq-int8': 'DequantizeLinear' };

test('WASM: NF4, INT2 rows and prune → INT4 run packed with their twin\'s perplexity; INT3 is simulated', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  const model = await open(page);
  const settings: EvalSettings = { backend: 'wasm', tokens: 512, context: 128, stride: 128, throughputRuns: 0 };
  for (const spec of SPECS) {
    const v = ok(await call<Outcome<VariantSummary>>(page, 'makeVariant', model.id, spec, 'cpu'));
    expect(v.storage).toBe('packed');
    await packedEqualsTwin(page, model, v, settings);
  }
  const int3 = ok(await call<Outcome<VariantSummary>>(page, 'makeVariant', model.id, { method: 'rtn', options: { bits: 3 } }, 'cpu'));
  expect(int3.storage).toBe('simulated');
  expect(int3.format).toMatch(/^simulated \(f32\): no onnxruntime op runs 3-bit weights/);
  expect(int3.packedBytes).toBeGreaterThan(0.9 * int3.f32Bytes);
});

test('WebGPU: variants made by the WGSL kernels equal the TS kernels\' ; NF4, INT2 g32, AWQ-4 and the INT4 and INT8 token tables run packed on the WebGPU EP', async ({ page }) => {
  test.setTimeout(8 * 60_000);
  const model = await open(page);
  for (const spec of [...SPECS, { method: 'global-prune', options: { ratio: 0.5 } } as VariantSpec]) {
    const gpu = ok(await call<Outcome<VariantSummary>>(page, 'makeVariant', model.id, spec, 'webgpu'));
    const cpu = ok(await call<Outcome<VariantSummary>>(page, 'makeVariant', model.id, spec, 'cpu'));
    console.log(`${gpu.label}: WGSL kernels ${gpu.kernelMs.toFixed(0)} ms, TS kernels ${cpu.kernelMs.toFixed(0)} ms`);
    expect(gpu.tensors.map((t) => [t.name, t.sparsity])).toEqual(cpu.tensors.map((t) => [t.name, t.sparsity]));
    // the affine WGSL (rtn) takes its error sums in the kernel in f32 (shared/affine-quantize.wgsl): equal within 1e-5, not to the bit
    gpu.tensors.forEach((t, k) => {
      const c = cpu.tensors[k]!;
      for (const key of ['relFrobeniusError', 'maxAbsError'] as const) expect(Math.abs(t[key]! - c[key]!), `${t.name} ${key}`).toBeLessThanOrEqual(1e-5 * c[key]!);
    });
    expect(gpu.packedBytes).toBe(cpu.packedBytes);
    // WebGPU on SwiftShader is slow: one evaluation pair here, for the op only this method brings (MatMulBnb4)
    if (spec.method === 'nf4') await packedEqualsTwin(page, model, gpu, { backend: 'webgpu', tokens: 64, context: 64, stride: 64, throughputRuns: 0 }, ['bnb4-nf4']);
  }
  const formsStart = Date.now();
  const tiny = ok(await call<Outcome<ModelSummary>>(page, 'loadDemo', 'brown-gpt2-tiny'));
  for (const { spec, forms, tokens = 64 } of WEBGPU_FORMS) {
    const start = Date.now();
    const v = ok(await call<Outcome<VariantSummary>>(page, 'makeVariant', tiny.id, spec, 'cpu'));
    expect(v.storage, v.label).toBe('packed');
    const made = Date.now();
    // no KL against the base: the pair graph would double each evaluation, and the twin is the check
    await packedEqualsTwin(page, tiny, v, { backend: 'webgpu', tokens, context: tokens, stride: tokens, throughputRuns: 0, compareToBase: false }, forms);
    console.log(`  ${v.label}: made in ${((made - start) / 1000).toFixed(1)} s, the pair evaluated in ${((Date.now() - made) / 1000).toFixed(1)} s`);
  }
  console.log(`WebGPU forms on ${tiny.name}: ${((Date.now() - formsStart) / 1000).toFixed(1)} s`);
  // the ops of the INT8 + token table form run on the WebGPU EP itself, not on the CPU EP inside its
  // session; and the check sees a node handed to the CPU EP (ep-probe.ts names the MatMul 'mm';
  // GatherBlockQuantized cannot be: the WebGPU build's CPU EP has no kernel for it, the session fails)
  const placeStart = Date.now();
  const epsOf = (row: PlacementRow) => row.nodes.filter(([o]) => o === FORM_OP[row.id]).map(([, , ep]) => ep);
  const [placed, forced] = await placedOn(page, [{ ids: Object.keys(FORM_OP) as FormId[] }, { ids: ['nbits8'], forceCpu: ['mm_nbits'] }]);
  for (const row of placed!) {
    console.log(`  ${row.id}: ${FORM_OP[row.id]} on ${epsOf(row).join(', ')}`);
    expect(epsOf(row), `${row.id}: where the WebGPU session placed ${FORM_OP[row.id]}`).toEqual(['WebGpuExecutionProvider']);
  }
  expect(forced!.map(epsOf)).toEqual([['CPUExecutionProvider']]);
  console.log(`placements: ${((Date.now() - placeStart) / 1000).toFixed(1)} s`);
});
