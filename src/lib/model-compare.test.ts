// Two models side by side: rows matched by spec, each Δ against its own model's baseline, a pair
// comparable only when both were measured on the same settings.
import { describe, expect, it } from 'vitest';
import { compareModels, modelOfKey, modelsWithResults, sharedBackends } from './model-compare';
import type { StoredEval, StoredVariant } from '../store/types';

const ev = (modelKey: string, variantId: string, ppl: number, tokensScored = 127, finishedAt = '2026-01-01') =>
  ({ modelKey, variantId, finishedAt, settings: { backend: 'wasm' }, perplexity: { ppl, backend: 'wasm', dataset: 'd', tokensScored, context: 256, stride: 256 } } as unknown as StoredEval);
const variant = (modelKey: string, id: string, ratio: number) =>
  ({ modelKey, id, label: `prune ${ratio * 100}%`, spec: { method: 'magnitude-prune', options: { ratio } }, bitsPerWeight: 32 } as unknown as StoredVariant);

const A = 'big|7000000|100';
const B = 'mini|2000000|40';

describe('model comparison', () => {
  it('reads model keys back and lists models by their latest result', () => {
    expect(modelOfKey('a|b|5|9')).toEqual({ key: 'a|b|5|9', name: 'a|b', params: 5 });
    expect(modelsWithResults([ev(A, 'baseline', 1, 1, '2026-01-01'), ev(B, 'baseline', 1, 1, '2026-01-02')]).map((m) => m.name)).toEqual(['mini', 'big']);
  });

  it('matches variants by spec, Δ against each own baseline, comparable only on equal settings', () => {
    const variants = [variant(A, 'a1', 0.5), variant(B, 'b1', 0.5), variant(B, 'b2', 0.9)];
    const evals = [ev(A, 'baseline', 100), ev(A, 'a1', 125), ev(B, 'baseline', 200), ev(B, 'b1', 300), ev(B, 'b2', 900, 63)];
    const rows = compareModels(A, B, 'wasm', variants, evals);
    expect(rows.map((r) => r.label)).toEqual(['baseline', 'prune 50%', 'prune 90%']);
    expect(rows[1].sides.map((s) => s?.delta)).toEqual([0.25, 0.5]);
    expect(rows[1].comparable).toBe(true);
    // only B has 90 %, and on other settings than its baseline: no Δ, not comparable
    expect(rows[2].sides[0]).toBeUndefined();
    expect(rows[2].sides[1]!.delta).toBeUndefined();
    expect(rows[2].comparable).toBe(false);
    expect(sharedBackends(A, B, evals)).toEqual(['wasm']);
  });
});
