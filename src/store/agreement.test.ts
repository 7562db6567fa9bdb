// Backend agreement is a property of the WebGPU/WASM pair: stored on both results and shown the
// same whichever backend ran first; a result whose partner was replaced loses it.
import { describe, expect, it } from 'vitest';
import type { BackendAgreement } from '../../workers/api';
import { agreementOf } from '../lib/eval-view';
import type { ResultRow } from '../lib/selectors';
import { storeWithPair } from './agreement';
import type { StoredEval } from './types';

const figures = { tokens: 511, top1: 0.998, firstDisagreement: 97, headTokens: 32, maxAbsLogitDiff: 1.2e-5 };
const ev = (backend: 'wasm' | 'webgpu', at: string, o: { tokens?: number; agreement?: BackendAgreement; variantId?: string } = {}): StoredEval => ({
  modelId: 'm', variantId: o.variantId ?? 'baseline', form: 'packed', modelKey: 'k', variantLabel: 'baseline', finishedAt: at,
  settings: { backend, tokens: o.tokens ?? 512, context: 256, stride: 256, throughputRuns: 0 },
  perplexity: { ppl: 100, meanNll: 1, tokensScored: 511, windows: 2, dataset: 'd', context: 256, stride: 256, backend, seconds: 1 },
  throughput: { backend, batch: 1, seqLen: 256, warmup: 0, runs: 0, medianMs: NaN, p90Ms: NaN, tokensPerS: NaN },
  ...(o.agreement ? { agreement: o.agreement } : {}),
});
const run = (...list: StoredEval[]) => list.reduce<StoredEval[]>((acc, e) => storeWithPair(acc, e), []);
const row = (evals: StoredEval[]): ResultRow => ({ key: 'baseline', label: 'baseline', evals: Object.fromEntries(evals.map((e) => [e.settings.backend, e])), speeds: {} });
const byBackend = (evals: StoredEval[]) => Object.fromEntries(evals.map((e) => [e.settings.backend, e.agreement]));

describe('backend agreement of a pair', () => {
  it('is stored on both results, the same whichever backend ran first', () => {
    const wasmFirst = run(ev('wasm', '1'), ev('webgpu', '2', { agreement: { other: 'wasm', ...figures } }));
    const gpuFirst = run(ev('webgpu', '1'), ev('wasm', '2', { agreement: { other: 'webgpu', ...figures } }));
    expect(byBackend(wasmFirst)).toEqual({ wasm: { other: 'webgpu', ...figures }, webgpu: { other: 'wasm', ...figures } });
    expect(byBackend(gpuFirst)).toEqual(byBackend(wasmFirst));
    const a = agreementOf(row(wasmFirst));
    expect(a.status).toBe('disagree');
    expect(a.text).toMatch(/token 97/);
    expect(agreementOf(row(gpuFirst))).toEqual(a);
  });

  it('is taken off both when one backend is evaluated again on other tokens', () => {
    const paired = run(ev('wasm', '1'), ev('webgpu', '2', { agreement: { other: 'wasm', ...figures } }));
    const after = storeWithPair(paired, ev('wasm', '3', { tokens: 1024 }));
    expect(byBackend(after)).toEqual({ wasm: undefined, webgpu: undefined });
    expect(agreementOf(row(after)).status).toBe('unchecked');
    // and a re-run on the same tokens that the worker compared pairs them again
    const again = storeWithPair(after, ev('webgpu', '4', { tokens: 1024, agreement: { other: 'wasm', ...figures, firstDisagreement: null } }));
    expect(agreementOf(row(again)).status).toBe('agree');
    expect(byBackend(again).wasm).toEqual({ other: 'webgpu', ...figures, firstDisagreement: null });
  });

  it('a lone result keeps no agreement; other variants are left alone', () => {
    const lone = run(ev('webgpu', '1', { agreement: { other: 'wasm', ...figures } }));
    expect(lone[0].agreement).toBeUndefined();
    const other = run(ev('wasm', '1', { variantId: 'int8' }), ev('webgpu', '2', { variantId: 'int8', agreement: { other: 'wasm', ...figures } }), ev('wasm', '3'));
    expect(other.filter((e) => e.variantId === 'int8').every((e) => e.agreement)).toBe(true);
  });

  it('reads old stored results by the later of the two: an earlier one\'s agreement was with a replaced result', () => {
    const stale: ResultRow = row([ev('wasm', '1', { agreement: { other: 'webgpu', ...figures } }), ev('webgpu', '2')]);
    expect(agreementOf(stale).status).toBe('unchecked');
  });
});
