/**
 * The evaluation part of `npm run bench` (issue "Evaluation you can trust"), through the lab's
 * worker API on the engine harness page:
 *   kld                       each packed variant (FP16, INT8 per channel, INT4 g32) against the base on
 *                             WASM, token by token on the same windows: mean and p99 KL(base ‖ variant),
 *                             top-1 agreement, ppl ratio
 *   backend_agreement         the baseline and each variant on WebGPU and on WASM, same window:
 *                             max |Δlogit| over the first rows and top-1 agreement over every scored token
 *   readback_bytes_per_token  bytes ONNX Runtime handed to JS per scored token (the reduction runs in
 *                             the graph), per backend: the largest over these evaluations (a variant
 *                             scored with its base reads back the most)
 * The agreement window is small: on SwiftShader the WebGPU EP runs 8-bit MatMulNBits very slowly.
 */
import type { Browser, Page } from '@playwright/test';
import { ok, type Outcome } from '../e2e/harness/outcome';
import type { Backend, EvalResult, EvalSettings, ModelSummary, VariantSpec, VariantSummary } from '../workers/api';

const MODEL = 'brown-gpt2';
const VARIANTS: Record<string, VariantSpec> = {
  fp16: { method: 'fp16', options: {} },
  int8_channel: { method: 'int8-channel', options: {} },
  int4_g32: { method: 'int4-group', options: { groupSize: 32 } },
};
const AGREE = { tokens: 32, context: 32, stride: 32, throughputRuns: 0 };

const round = (x: number, d = 6) => (Number.isFinite(x) ? Number(x.toPrecision(d)) : x);

export interface EvalBenchOptions {
  browser: Browser;
  base: string;
  /** KL settings (WASM) */
  tokens: number;
  context: number;
  stride: number;
  webgpu: boolean;
  log: (s: string) => void;
}

export async function benchEval(o: EvalBenchOptions): Promise<{ kld: object; backend_agreement: object; readback_bytes_per_token: object; eval_settings: object; notes: string[] }> {
  const notes: string[] = [];
  const page: Page = await o.browser.newPage();
  page.on('pageerror', (e) => o.log(`[page error] ${e.message}`));
  try {
    await page.goto(`${o.base}e2e/harness/engine.html`, { timeout: 300_000 });
    await page.waitForFunction(() => 'harness' in window, null, { timeout: 300_000 });
    const call = async <T>(fn: string, ...args: unknown[]): Promise<T> =>
      ok((await page.evaluate(([f, a]) => (window as any).harness[f as string](...(a as unknown[])), [fn, args] as const)) as Outcome<T>, fn);
    const model = await call<ModelSummary>('loadDemo', MODEL);
    const klSettings: EvalSettings = { backend: 'wasm', tokens: Math.min(o.tokens, model.datasetTokens), context: o.context, stride: o.stride, throughputRuns: 0 };
    const kld: Record<string, object> = {};
    const agreement: Record<string, object> = {};
    const readback: Record<Backend, number[]> = { webgpu: [], wasm: [] };
    const ids: Record<string, string> = { baseline: 'baseline' };
    for (const [name, spec] of Object.entries(VARIANTS)) {
      ids[name] = (await call<VariantSummary>('makeVariant', model.id, spec, 'cpu')).id;
      o.log(`kld ${name}: WASM, ${klSettings.tokens} tokens`);
      const r = await call<EvalResult>('evaluate', model.id, ids[name], klSettings);
      const k = r.kl!;
      kld[name] = { mean: round(k.mean), median: round(k.median), p99: round(k.p99), max: round(k.max), top1: round(k.top1), ppl_ratio: round(k.pplRatio), delta_p_mean: round(k.deltaP.mean), tokens: k.tokens, form: r.form };
      readback.wasm.push(r.perplexity.readback!.perToken);
    }
    const backends: Backend[] = o.webgpu ? ['wasm', 'webgpu'] : ['wasm'];
    if (!o.webgpu) notes.push('backend_agreement: WebGPU unavailable or skipped, so nothing to compare');
    for (const [name, id] of Object.entries(ids)) {
      let last: EvalResult | undefined;
      for (const backend of backends) {
        o.log(`backend agreement ${name}: ${backend}, ${AGREE.tokens} tokens`);
        const t0 = Date.now();
        last = await call<EvalResult>('evaluate', model.id, id, { backend, ...AGREE });
        readback[backend].push(last.perplexity.readback!.perToken);
        o.log(`  ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
      const a = last?.agreement;
      if (a) agreement[name] = { max_abs_logit_diff: round(a.maxAbsLogitDiff, 4), top1: round(a.top1), tokens: a.tokens, logit_rows: a.headTokens, first_disagreement: a.firstDisagreement };
      else if (o.webgpu) notes.push(`backend_agreement ${name}: not compared (the backends ran different forms: ${last?.form})`);
    }
    const max = (xs: number[]) => (xs.length ? round(Math.max(...xs), 4) : null);
    notes.push(
      `kld: LabApi.evaluate on WASM, ${klSettings.tokens} tokens, context ${klSettings.context}, stride ${klSettings.stride}; base and packed variant in one ONNX graph, KL(base || variant) per scored token in nats, top1 = share of tokens with the same argmax; variants made with the CPU reference kernels.`,
      `backend_agreement: each model evaluated on WASM then WebGPU with ${AGREE.tokens} tokens, context ${AGREE.context} (one window); max |delta logit| over its first 32 rows of logits, top1 over its ${AGREE.context - 1} scored tokens (a window's first token is never scored).`,
      `readback_bytes_per_token: bytes of the outputs ORT handed to JS during scoring / tokens scored, largest over this block's evaluations (base-alone scoring reads 8 B per row, a variant with its base 20 B per row; rows that score no token when stride < context count too); the 32-row agreement check (first window only) is counted apart.`,
    );
    return {
      kld,
      backend_agreement: agreement,
      readback_bytes_per_token: { webgpu: max(readback.webgpu), wasm: max(readback.wasm) },
      eval_settings: { kld: { backend: 'wasm', tokens: klSettings.tokens, context: klSettings.context, stride: klSettings.stride }, backend_agreement: AGREE },
      notes,
    };
  } finally {
    await page.close().catch(() => {});
  }
}
