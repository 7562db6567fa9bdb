/**
 * Backend agreement belongs to a pair: one model's WebGPU and WASM evaluations on the same tokens.
 * The worker can only compare when the second of the two finishes, so its result alone carries
 * the figures; here, as each evaluation is stored, the figures are put on both results of the pair
 * (each naming the other backend), and taken off a result whose partner was replaced — it then
 * describes a pair that no longer exists. Whichever backend ran first, the stored pair is the same.
 */
import type { StoredEval } from './types';

/** Both evaluations scored the same tokens of the same model form (what the worker compares). */
export const sameTokens = (a: StoredEval, b: StoredEval): boolean =>
  a.form === b.form && a.perplexity.dataset === b.perplexity.dataset && a.settings.tokens === b.settings.tokens &&
  a.perplexity.context === b.perplexity.context && a.perplexity.stride === b.perplexity.stride;

const strip = ({ agreement: _a, ...rest }: StoredEval): StoredEval => rest;

/** `evals` with `e` stored (replacing the same model, variant and backend) and the pair's agreement on both or neither. */
export function storeWithPair(evals: readonly StoredEval[], e: StoredEval): StoredEval[] {
  const samePlace = (o: StoredEval) => o.modelKey === e.modelKey && o.variantId === e.variantId;
  const partner = evals.find((o) => samePlace(o) && o.settings.backend !== e.settings.backend);
  const rest = evals.filter((o) => !samePlace(o));
  if (!partner) return [...rest, e.agreement ? strip(e) : e];
  const paired = e.agreement && e.agreement.other === partner.settings.backend && sameTokens(e, partner) ? e.agreement : undefined;
  if (!paired) return [...rest, strip(partner), strip(e)];
  return [...rest, { ...partner, agreement: { ...paired, other: e.settings.backend } }, { ...e, agreement: paired }];
}
