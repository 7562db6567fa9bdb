/**
 * The new methods' packed forms through the engine worker in real Chromium (issue 9): NF4 as
 * MatMulBnb4, INT2 symmetric rows as MatMulNBits bits=2, and prune 50 % → INT4 (VariantSpec.then)
 * run on both onnxruntime-web backends with their f32 twin's perplexity (within 1e-4, helpers/packing-bug.ts; the issue asks 0.5 %); so
 * do the INT2 and INT4 token tables (GatherBlockQuantized) on WASM; INT3 is stored f32 and an evaluation of it says
 * 'simulated'. On WebGPU the variants are made by the WGSL kernels and must carry the
 * same per-tensor stats as the TS kernels' (global-prune included: its pass over all tensors), the
 * ones the affine WGSL sums in f32 within 1e-5 relative. NF4 and, on the tiny demo LM, INT2 g32,
 * AWQ-4 and the INT4 and INT8 token tables (GatherBlockQuantized) run on the WebGPU EP
 * with their twin's perplexity, few tokens each; every form's op is placed on the WebGPU EP itself
 * (ORT's node placements), not on the CPU EP inside the WebGPU session, except 3-bit MatMulNBits
 * (the WebGPU EP takes it and refuses it: no session) and fp16's Cast (folded into an f32 weight).
 */
import { expect, test, type Page } from '@playwright/test';
import type { EvalResult, EvalSettings, ModelSummary, VariantSpec, VariantSummary } from '../workers/api';
import { ok, type Outcome } from './harness/outcome';
import { PACKING_BUG } from './helpers/packing-bug';
import { EP_RUNS, FORM_IDS, type FormId } from '../workers/formats/ep-support';
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

/** The packed form's own op in each probe graph (the one that reads the packed weight): every form, so a new one must say. */
const FORM_OP: Readonly<Record<FormId, string>> = {
  'nbits2': 'MatMulNBits', 'nbits2-nozp': 'MatMulNBits', 'nbits3': 'MatMulNBits', 'nbits3-nozp': 'MatMulNBits',
  'nbits4': 'MatMulNBits', 'nbits4-nozp': 'MatMulNBits', 'nbits8': 'MatMulNBits', 'nbits8-nozp': 'MatMulNBits',
  'qdq-int8': 'DequantizeLinear', 'fp16-cast': 'Cast', 'nbits4-input-scale': 'MatMulNBits', 'bnb4-nf4': 'MatMulBnb4',
  'gbq2': 'GatherBlockQuantized', 'gbq4': 'GatherBlockQuantized', 'gbq8': 'GatherBlockQuantized',
};
const WEBGPU_EP = 'WebGpuExecutionProvider';

/**
 * Token tables on WASM, on the tiny demo LM (64 tokens, about a second an evaluation): the tied head
 * packed as MatMulNBits 2- and 4-bit, which the embedding's Gather then reads as GatherBlockQuantized
 * 2- and 4-bit over the same bytes (packed-model.ts: any other reader of a packed weight fails to
 * write). brown-gpt2's INT8 + table above is the 8-bit one. Each can fail: with row 44's first block
 * scale doubled for the GatherBlockQuantized only (the twin unchanged) INT2 read 0.66 % and INT4 2.01 % apart.
 */
const WASM_TABLES: { spec: VariantSpec; forms: FormId[]; format: string }[] = [
  { spec: { method: 'rtn', options: { bits: 2, groupSize: 32, symmetric: false }, embeddings: true }, forms: ['gbq2', 'nbits2'], format: 'MatMulNBits 2-bit, block 32; GatherBlockQuantized 2-bit (token table)' },
  { spec: { method: 'int4-group', options: { groupSize: 32 }, embeddings: true }, forms: ['gbq4', 'nbits4'], format: 'MatMulNBits 4-bit, block 32; GatherBlockQuantized 4-bit (token table)' },
];

test('WASM: NF4, INT2 rows, prune → INT4 and the INT2 and INT4 token tables run packed with their twin\'s perplexity; INT3 is simulated', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  const model = await open(page);
  const settings: EvalSettings = { backend: 'wasm', tokens: 512, context: 128, stride: 128, throughputRuns: 0 };
  for (const spec of SPECS) {
    const v = ok(await call<Outcome<VariantSummary>>(page, 'makeVariant', model.id, spec, 'cpu'));
    expect(v.storage).toBe('packed');
    await packedEqualsTwin(page, model, v, settings);
  }
  const tablesStart = Date.now();
  const tiny = ok(await call<Outcome<ModelSummary>>(page, 'loadDemo', 'brown-gpt2-tiny'));
  const few: EvalSettings = { backend: 'wasm', tokens: 64, context: 64, stride: 64, throughputRuns: 0, compareToBase: false };
  expect(tiny.tiedHead, `${tiny.name}: the token table is the LM head's weight`).toBeTruthy();
  for (const { spec, forms, format } of WASM_TABLES) {
    const v = ok(await call<Outcome<VariantSummary>>(page, 'makeVariant', tiny.id, spec, 'cpu'));
    expect(v.storage, v.label).toBe('packed');
    // the format names the table's GatherBlockQuantized beside the weights' form; it reads the packed head, which must be among them
    expect(v.format, v.label).toBe(format);
    expect(v.tensors.map((t) => t.name), v.label).toContain(tiny.tiedHead!.head);
    await packedEqualsTwin(page, tiny, v, few, forms);
  }
  // 3-bit: stored f32 (no EP runs 3-bit MatMulNBits: packed.spec.ts's probe, the placements below), and
  // an evaluation asked for the packed model says it measured the simulated one, and why
  const int3 = ok(await call<Outcome<VariantSummary>>(page, 'makeVariant', tiny.id, { method: 'rtn', options: { bits: 3 } }, 'cpu'));
  expect(int3.storage).toBe('simulated');
  expect(int3.format).toMatch(/^simulated \(f32\): no onnxruntime op runs 3-bit weights/);
  expect(int3.packedBytes).toBeGreaterThan(0.9 * int3.f32Bytes);
  const r3 = ok(await call<Outcome<EvalResult>>(page, 'evaluate', tiny.id, int3.id, { ...few, form: 'packed' }));
  expect(r3.form).toBe('simulated');
  expect(r3.formReason).toBe(`stored as ${int3.format}`);
  console.log(`wasm ${int3.label}: asked packed, read ${r3.form} (${r3.formReason}) ppl ${r3.perplexity.ppl.toFixed(4)}`);
  console.log(`token tables and INT3 on ${tiny.name}: ${((Date.now() - tablesStart) / 1000).toFixed(1)} s`);
});

test('WebGPU: variants made by the WGSL kernels equal the TS kernels\' ; NF4, INT2 g32, AWQ-4 and the INT4 and INT8 token tables run packed on the WebGPU EP; where each form\'s op is placed', async ({ page }) => {
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
  // every form's op on the WebGPU EP itself, not on the CPU EP inside its session (the perplexity
  // pairs would not see that); and the check sees a node handed to the CPU EP (ep-probe.ts names the
  // MatMul 'mm'; GatherBlockQuantized cannot be: the WebGPU build's CPU EP has no kernel for it, the session fails)
  const placeStart = Date.now();
  const on = (row: PlacementRow, op: string) => row.nodes.filter(([o]) => o === op).map(([, , ep]) => ep);
  const [placed, forced, fp16Forced] = await placedOn(page, [{ ids: [...FORM_IDS] }, { ids: ['nbits8'], forceCpu: ['mm_nbits'] }, { ids: ['fp16-cast'], forceCpu: ['mm'] }]);
  expect(placed!.map((r) => r.id)).toEqual([...FORM_IDS]);
  for (const row of placed!) {
    const op = FORM_OP[row.id];
    console.log(`  ${row.id.padEnd(18)} ${op} on ${on(row, op).join(', ') || '(not in the session)'}; session ${row.nodes.map(([o, , ep]) => `${o}@${ep.replace('ExecutionProvider', '')}`).join(' ')}${row.error ? `; no session: ${row.error.slice(-90)}` : ''}`);
    if (row.id === 'fp16-cast') {
      // ORT folds the Cast of the fp16 initializer at session creation (constant folding, 'all' as the
      // engine opens sessions): the session holds the weight as f32 and only the MatMul is left, on WebGPU
      expect(row.error).toBeUndefined();
      expect(row.nodes).toEqual([['MatMul', 'mm', WEBGPU_EP]]);
    } else if (EP_RUNS[row.id].webgpu === true) {
      expect(row.error, row.id).toBeUndefined();
      expect(on(row, op), `${row.id}: where the WebGPU session placed ${op}`).toEqual([WEBGPU_EP]);
      expect(row.nodes.filter(([, , ep]) => ep !== WEBGPU_EP), `${row.id}: nodes off the WebGPU EP`).toEqual([]);
    } else {
      // 3-bit MatMulNBits: the WebGPU EP takes the node, then its kernel refuses the width; no CPU fallback, no session
      expect(on(row, op), row.id).toEqual([WEBGPU_EP]);
      expect(row.error, row.id).toMatch(/Only 4b\/8b\/2b quantization/);
    }
  }
  expect(forced!.map((r) => on(r, 'MatMulNBits'))).toEqual([['CPUExecutionProvider']]);
  // named, as a forced node is: the fp16 session kept the MatMul alone, the Cast is folded away
  expect(fp16Forced!.map((r) => r.nodes)).toEqual([[['MatMul', 'mm', 'CPUExecutionProvider']]]);
  console.log(`placements: ${((Date.now() - placeStart) / 1000).toFixed(1)} s`);
});
