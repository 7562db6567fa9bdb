/**
 * What the perplexity chart and the KL table may put side by side. Perplexities are comparable
 * only on the same tokens (dataset, tokens, context, stride), so the chart draws one set of
 * settings: the one most rows were evaluated with. Backend agreement is the pair's (WebGPU and
 * WASM on the same tokens), read the same way whichever backend ran first.
 */
import type { BackendAgreement } from '../../workers/api';
import type { StoredEval } from '../store/types';
import { sameTokens } from '../store/agreement';
import type { ResultRow } from './selectors';

/** Above this max |Δlogit| between WebGPU and WASM, the backends are flagged as disagreeing. */
export const LOGIT_TOL = 0.05;

export const settingsKey = (e: StoredEval) => `${e.perplexity.dataset}|${e.settings.tokens}|${e.perplexity.context}|${e.perplexity.stride}`;

/** The settings most rows have a result for (ties: the first seen, WASM before WebGPU). */
export function chartSettings(rows: ResultRow[]): string | undefined {
  const count = new Map<string, number>();
  for (const r of rows) {
    const keys = new Set([r.evals.wasm, r.evals.webgpu].filter((e): e is StoredEval => !!e).map(settingsKey));
    for (const k of keys) count.set(k, (count.get(k) ?? 0) + 1);
  }
  let best: string | undefined;
  for (const [k, n] of count) if (best === undefined || n > count.get(best)!) best = k;
  return best;
}

/** The row's result on those settings (WASM preferred: on the same tokens both backends give the same number). */
export function evalOn(r: ResultRow, key: string | undefined): StoredEval | undefined {
  return [r.evals.wasm, r.evals.webgpu].find((e) => e && settingsKey(e) === key);
}

export interface AgreementView {
  status: 'agree' | 'disagree' | 'unchecked';
  text: string;
  /** the pair's figures (no "other": a pair has no first or second) */
  agreement?: Omit<BackendAgreement, 'other'>;
}

/**
 * Check mark, warning naming the first disagreeing position, or why it was not checked: a property
 * of the row's WebGPU/WASM pair (store/agreement.ts), the same whichever backend ran first. Only
 * the later of the two counts: an agreement the earlier one carries from before (results stored
 * before pairs existed) was made with a result since replaced.
 */
export function agreementOf(r: ResultRow): AgreementView {
  const { wasm, webgpu } = r.evals;
  if (!wasm || !webgpu) return { status: 'unchecked', text: 'not compared: evaluated on one backend only' };
  const later = wasm.finishedAt > webgpu.finishedAt ? wasm : webgpu;
  if (!later.agreement || !sameTokens(wasm, webgpu)) return { status: 'unchecked', text: 'not compared: the two backends scored different tokens or forms' };
  const { other: _other, ...a } = later.agreement;
  const top1 = `top-1 ${(a.top1 * 100).toFixed(a.top1 === 1 ? 0 : 2)} % of ${a.tokens} tokens`;
  const logit = `max |Δlogit| ${a.maxAbsLogitDiff.toExponential(1)} over ${a.headTokens} positions`;
  if (a.firstDisagreement === null && a.maxAbsLogitDiff <= LOGIT_TOL) return { status: 'agree', text: `WebGPU = WASM: ${top1}, ${logit}`, agreement: a };
  const where = a.firstDisagreement !== null ? `top-1 differs first at token ${a.firstDisagreement}` : `logits differ by more than ${LOGIT_TOL}`;
  return { status: 'disagree', text: `WebGPU ≠ WASM: ${where}; ${top1}, ${logit}`, agreement: a };
}

export const AGREEMENT_MARK: Record<AgreementView['status'], string> = { agree: '✓', disagree: '⚠', unchecked: '·' };
