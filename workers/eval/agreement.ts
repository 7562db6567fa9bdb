/**
 * Backend agreement: the same model, settings and tokens evaluated on WebGPU and on WASM must give
 * the same next-token choices and near-equal logits (ORT's EPs have silently disagreed on quantized
 * models). Each evaluation leaves its per-token top-1 and its first rows of logits here; the second
 * backend's evaluation is compared with the first's.
 */
import type { Backend, BackendAgreement, EvalSettings } from '../api';
import type { TokenScores } from './score';

interface Kept {
  backend: Backend;
  positions: Int32Array;
  top1: Int32Array;
  head?: TokenScores['head'];
}

/** Kept per (model, variant, form, tokens, context, stride): a few KB per token at most. */
const MAX_KEPT = 12;
const kept = new Map<string, Kept>();

const keyOf = (modelKey: string, s: EvalSettings) => `${modelKey}|${s.tokens}|${s.context}|${s.stride}`;

export function compareScores(a: Kept, b: Kept): Omit<BackendAgreement, 'other'> {
  const n = Math.min(a.top1.length, b.top1.length);
  let same = 0;
  let first: number | null = null;
  for (let i = 0; i < n; i++) {
    if (a.positions[i] !== b.positions[i]) throw new Error(`token ${i} is position ${a.positions[i]} on ${a.backend}, ${b.positions[i]} on ${b.backend}: not the same windows`);
    if (a.top1[i] === b.top1[i]) same++;
    else first ??= a.positions[i];
  }
  let maxAbs = 0;
  let rows = 0;
  if (a.head && b.head && a.head.vocab === b.head.vocab) {
    rows = Math.min(a.head.rows, b.head.rows);
    const len = rows * a.head.vocab;
    for (let i = 0; i < len; i++) {
      const d = Math.abs(a.head.logits[i] - b.head.logits[i]);
      // NaN on one side only is the worst disagreement there is
      if (d > maxAbs || Number.isNaN(d)) maxAbs = Number.isNaN(d) ? Infinity : d;
    }
  }
  return { tokens: n, top1: n ? same / n : NaN, firstDisagreement: first, headTokens: rows, maxAbsLogitDiff: maxAbs };
}

/**
 * Keeps this evaluation's scores and, when the other backend evaluated the same thing before,
 * returns how the two agree. `modelKey` names the model, variant and form that ran.
 */
export function agreeWithOtherBackend(modelKey: string, s: EvalSettings, scores: TokenScores): BackendAgreement | undefined {
  const key = keyOf(modelKey, s);
  const mine: Kept = { backend: s.backend, positions: scores.positions, top1: scores.top1, head: scores.head };
  const other = [...kept.entries()].find(([k, v]) => k === `${key}|${v.backend}` && v.backend !== s.backend)?.[1];
  kept.delete(`${key}|${s.backend}`);
  kept.set(`${key}|${s.backend}`, mine);
  while (kept.size > MAX_KEPT) kept.delete(kept.keys().next().value!);
  return other ? { other: other.backend, ...compareScores(other, mine) } : undefined;
}

/** Forgets a model's kept scores (the model was dropped). */
export function forgetScores(modelKeyPart: string): void {
  for (const k of [...kept.keys()]) if (k.includes(modelKeyPart)) kept.delete(k);
}
