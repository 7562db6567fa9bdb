/**
 * The new methods' packed forms through the engine worker in real Chromium (issue 9): NF4 as
 * MatMulBnb4, INT2 symmetric rows as MatMulNBits bits=2, and prune 50 % → INT4 (VariantSpec.then)
 * run on both onnxruntime-web backends with their f32 twin's perplexity (within 0.5 %); INT3 is
 * stored f32 and says so. On WebGPU the variants are made by the WGSL kernels and must carry the
 * same per-tensor stats as the TS kernels' (global-prune included: its pass over all tensors), the
 * ones the affine WGSL sums in f32 within 1e-5 relative.
 */
import { expect, test, type Page } from '@playwright/test';
import type { EvalResult, EvalSettings, ModelSummary, VariantSpec, VariantSummary } from '../workers/api';
import { ok, type Outcome } from './harness/outcome';

const SPECS: VariantSpec[] = [
  { method: 'nf4', options: {} },
  { method: 'rtn', options: { bits: 2, groupSize: 0, symmetric: true } },
  { method: 'magnitude-prune', options: { ratio: 0.5 }, then: { method: 'rtn', options: { bits: 4, groupSize: 32 } } },
];

const call = <T>(page: Page, fn: string, ...args: unknown[]): Promise<T> =>
  page.evaluate(([f, a]) => (window as any).harness[f as string](...(a as unknown[])), [fn, args] as const) as Promise<T>;

async function open(page: Page): Promise<ModelSummary> {
  page.on('console', (m) => m.type() === 'error' && console.log(`[page error] ${m.text()}`));
  await page.goto('/e2e/harness/engine.html');
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 60_000 });
  return ok(await call<Outcome<ModelSummary>>(page, 'loadDemo', 'brown-gpt2'));
}

async function packedEqualsTwin(page: Page, model: ModelSummary, v: VariantSummary, settings: EvalSettings) {
  const packed = ok(await call<Outcome<EvalResult>>(page, 'evaluate', model.id, v.id, { ...settings, form: 'packed' }));
  const twin = ok(await call<Outcome<EvalResult>>(page, 'evaluate', model.id, v.id, { ...settings, form: 'simulated' }));
  const rel = packed.perplexity.ppl / twin.perplexity.ppl - 1;
  console.log(`${settings.backend} ${v.label.padEnd(26)} ${v.format.padEnd(30)} ${v.bitsPerWeight.toFixed(3)} bits: packed ${packed.perplexity.ppl.toFixed(4)} twin ${twin.perplexity.ppl.toFixed(4)} (${(rel * 100).toFixed(4)} %)`);
  expect(packed.form, `${v.label}: the packed model ran (${packed.formReason ?? ''})`).toBe('packed');
  expect(Math.abs(rel), `${v.label} on ${settings.backend}`).toBeLessThan(0.005);
}

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

test('WebGPU: variants made by the WGSL kernels equal the TS kernels\' ; NF4 runs packed on the WebGPU EP', async ({ page }) => {
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
    // WebGPU on SwiftShader is slow: one evaluation pair, for the op only this method brings (MatMulBnb4);
    // MatMulNBits bits=2 on the WebGPU EP is in /work/shared/measurements.md (2026-11-29)
    if (spec.method === 'nf4') await packedEqualsTwin(page, model, gpu, { backend: 'webgpu', tokens: 64, context: 64, stride: 64, throughputRuns: 0 });
  }
});
