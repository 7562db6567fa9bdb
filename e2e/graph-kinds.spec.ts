/**
 * Models as people publish them, in Chromium: the demo LM's KV-cache decoder
 * (onnx/decoder_model_merged.onnx, past_key_values.N.* inputs) loads from a dropped folder, is
 * evaluated with an empty past on WASM with the same perplexity as onnxruntime-node on the same
 * file (scripts/ppl-node.ts), and compresses to a packed INT4 variant whose perplexity equals its
 * f32 twin's.
 */
import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import type { EvalResult, EvalSettings, ModelSummary, VariantSummary } from '../workers/api';
import { ok, type Outcome } from './harness/outcome';


test('a KV-cache decoder loads, evaluates with an empty past and compresses', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  await page.goto('/e2e/harness/engine.html');
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 60_000 });
  const call = <T>(fn: string, ...args: unknown[]) =>
    page.evaluate(([f, a]) => (window as any).harness[f as string](...(a as unknown[])), [fn, args] as const) as Promise<Outcome<T>>;
  const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/decoder_model_merged.onnx'];
  const model = ok(await call<ModelSummary>('loadFolder', '/models/brown-gpt2/', files));
  expect(model.graphKind).toBe('kv-cache');
  expect(model.onnxPath).toBe('onnx/decoder_model_merged.onnx');
  const settings: EvalSettings = { backend: 'wasm', tokens: 1024, context: 256, stride: 256, throughputRuns: 0 };
  const base = ok(await call<EvalResult>('evaluate', model.id, 'baseline', settings));
  const out = execFileSync('npx', ['tsx', 'scripts/ppl-node.ts', '--model', 'public/models/brown-gpt2', '--onnx', 'onnx/decoder_model_merged.onnx', '--tokens', '1024', '--context', '256', '--stride', '256'], { encoding: 'utf8', timeout: 180_000 });
  const node = JSON.parse(out.trim().split('\n').pop()!);
  console.log(`kv-cache decoder, empty past: lab WASM ppl ${base.perplexity.ppl.toFixed(4)}, onnxruntime-node ${node.ppl.toFixed(4)}`);
  expect(base.perplexity.tokensScored).toBe(node.tokensScored);
  expect(Math.abs(base.perplexity.ppl / node.ppl - 1)).toBeLessThan(1e-3);

  const v = ok(await call<VariantSummary>('makeVariant', model.id, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu'));
  const packed = ok(await call<EvalResult>('evaluate', model.id, v.id, settings));
  const simulated = ok(await call<EvalResult>('evaluate', model.id, v.id, { ...settings, form: 'simulated' }));
  expect(packed.form).toBe('packed');
  expect(Math.abs(packed.perplexity.ppl / simulated.perplexity.ppl - 1)).toBeLessThan(0.005);
});
