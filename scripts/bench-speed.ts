/**
 * The "speed" part of `npm run bench` (issue "Evaluation you can trust"), through the lab's worker
 * API on the engine harness page, demo LM:
 *   prefill  tokens/s at batch 1, 4, 8, 16 (seq 128 on WASM), one warm-up then 5 timed runs, median
 *   decode   tokens/s writing 64 new tokens after a 128-token prompt on the KV-cache decoder
 *            (onnx/decoder_model_merged.onnx), LabApi.decodeSpeed: one warm-up then 5 timed runs,
 *            median and p90 over runs of the mean single-token step
 * WebGPU on a software adapter (SwiftShader) takes seconds per run: there, batch 1 and 4 at seq 32,
 * a 32-token prompt and 8 new tokens, 3 runs. Each figure comes with its settings, the WASM threads,
 * the adapter, and the session-create and first-run times apart.
 */
import type { Browser } from '@playwright/test';
import { call as callHarness, harness } from './bench-variants';
import type { Backend, DecodeSpeedResult, ModelSummary, PrefillSpeedResult } from '../workers/api';

const PLAN: Record<Backend, { batches: number[]; seqLen: number; runs: number; promptTokens: number; newTokens: number }> = {
  wasm: { batches: [1, 4, 8, 16], seqLen: 128, runs: 5, promptTokens: 128, newTokens: 64 },
  webgpu: { batches: [1, 4], seqLen: 32, runs: 3, promptTokens: 32, newTokens: 8 },
};
const round = (x: number, d = 1) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);

export async function benchSpeed(o: { browser: Browser; base: string; webgpu: boolean; log: (s: string) => void }): Promise<{ speed: Record<string, object>; notes: string[] }> {
  const page = await harness(o.browser, o.base, o.log);
  const speed: Record<string, object> = {};
  const notes: string[] = [];
  try {
    const call = <T>(fn: string, ...args: unknown[]) => callHarness<T>(page, fn, ...args);
    const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/decoder_model_merged.onnx'];
    const prefillModel = await call<ModelSummary>('loadDemo', 'brown-gpt2');
    const kvModel = await call<ModelSummary>('loadFolder', '/models/brown-gpt2/', files);
    for (const backend of (o.webgpu ? ['wasm', 'webgpu'] : ['wasm']) as Backend[]) {
      const p = PLAN[backend];
      const prefill: Record<string, number> = {};
      const spread: Record<string, object> = {};
      let meta: PrefillSpeedResult | undefined;
      for (const batch of p.batches) {
        o.log(`speed ${backend}: prefill batch ${batch} × ${p.seqLen}`);
        meta = await call<PrefillSpeedResult>('prefillSpeed', prefillModel.id, 'baseline', { backend, batch, seqLen: p.seqLen, runs: p.runs, warmup: 1 });
        prefill[batch] = round(meta.tokensPerS);
        spread[batch] = { median_ms: round(meta.medianMs, 2), p10_ms: round(meta.p10Ms, 2), p90_ms: round(meta.p90Ms, 2), first_ms: round(meta.firstMs, 0), session_create_ms: round(meta.sessionCreateMs ?? NaN, 0), session_reused: meta.sessionReused ?? null };
      }
      o.log(`speed ${backend}: decode ${p.newTokens} tokens on the KV cache`);
      const d = await call<DecodeSpeedResult>('decodeSpeed', kvModel.id, 'baseline', { backend, promptTokens: p.promptTokens, newTokens: p.newTokens, runs: p.runs, warmup: 1 });
      speed[backend] = {
        prefill,
        decode: round(d.tokensPerS),
        prefill_runs: spread,
        decode_ms_per_token: { median: round(d.medianMs, 2), p90: round(d.p90Ms, 2), prompt_ms: round(d.promptMs, 1), first_run_ms: round(d.firstMs, 0), session_create_ms: round(d.sessionCreateMs, 0) },
        settings: { seq_len: p.seqLen, runs: p.runs, warmup: 1, prompt_tokens: p.promptTokens, new_tokens: p.newTokens, decode: d.decode, wasm_threads: meta?.wasmThreads, adapter: meta?.adapter ?? null },
      };
    }
    notes.push('speed: LabApi.prefillSpeed on the demo LM (prefill graph), batch rows = consecutive windows of brown-test, tokens/s = batch · seq / median run; decode = LabApi.decodeSpeed on the KV-cache decoder (greedy, the prompt = the first prompt_tokens tokens of brown-test): 1000 / the median over timed runs of the mean single-token step of each run. WebGPU numbers on a software adapter are not a GPU\'s.');
  } finally {
    await page.close();
  }
  return { speed, notes };
}
