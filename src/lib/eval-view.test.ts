import { describe, expect, it } from 'vitest';
import type { StoredEval } from '../store/types';
import { agreementOf, chartSettings, evalOn } from './eval-view';
import type { ResultRow } from './selectors';

const ev = (backend: 'wasm' | 'webgpu', tokens: number, extra: Partial<StoredEval> = {}): StoredEval => ({
  modelId: 'm', variantId: 'baseline', form: 'packed', modelKey: 'k', variantLabel: 'baseline', finishedAt: '',
  settings: { backend, tokens, context: 256, stride: 256, throughputRuns: 0 },
  perplexity: { ppl: tokens, meanNll: 1, tokensScored: tokens - 1, windows: 1, dataset: 'd', context: 256, stride: 256, backend, seconds: 1 },
  throughput: { backend, batch: 1, seqLen: 256, warmup: 0, runs: 0, medianMs: NaN, p90Ms: NaN, tokensPerS: NaN },
  ...extra,
});
const row = (label: string, evals: ResultRow['evals']): ResultRow => ({ key: label, label, evals, speeds: {} });

describe('what the perplexity chart compares', () => {
  it('draws one set of settings: the one most rows share, never two token counts side by side', () => {
    const rows = [row('baseline', { wasm: ev('wasm', 8192), webgpu: ev('webgpu', 512) }), row('int8', { wasm: ev('wasm', 8192) })];
    const key = chartSettings(rows);
    expect(evalOn(rows[0], key)?.settings.tokens).toBe(8192);
    expect(evalOn(rows[1], key)?.settings.tokens).toBe(8192);
  });
  it('agreement: check mark, warning naming the first disagreeing token, or unchecked', () => {
    const agree = { other: 'wasm' as const, tokens: 255, top1: 1, firstDisagreement: null, headTokens: 32, maxAbsLogitDiff: 1e-5 };
    expect(agreementOf(row('b', { wasm: ev('wasm', 512), webgpu: ev('webgpu', 512, { agreement: agree }) })).status).toBe('agree');
    const off = agreementOf(row('b', { wasm: ev('wasm', 512), webgpu: ev('webgpu', 512, { agreement: { ...agree, top1: 0.99, firstDisagreement: 57 } }) }));
    expect(off.status).toBe('disagree');
    expect(off.text).toMatch(/token 57/);
    expect(agreementOf(row('b', { wasm: ev('wasm', 512) })).status).toBe('unchecked');
  });
});
