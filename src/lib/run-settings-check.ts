/**
 * Why the run settings cannot run on this model, said before Run (the button is disabled and
 * shows this), or undefined when they can. Each message names the setting and how to fix it.
 * The engine checks the same things again (validateSettings, resolveSpec) and refuses with
 * BadOption; tests/reliability.fuzz.test.ts checks that whatever passes here passes there too.
 */
import { BACKENDS, type ModelSummary } from '../../workers/api';
import { checkWindowSettings } from '../../workers/eval/windows';
import type { RunSettings } from '../store/types';
import { evalSettings } from './plan';
import { tryNormalize } from './specs';

/** The throughput runs the field offers (NumberInput max); the engine allows up to 100. */
export const MAX_RUNS = 50;

const whole = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

export function runSettingsProblem(s: RunSettings, model: Pick<ModelSummary, 'nPositions' | 'datasetTokens'>): string | undefined {
  if (!(model.datasetTokens >= 2)) return `the evaluation text has ${model.datasetTokens} tokens: pick a longer UTF-8 .txt, or go back to the built-in text`;
  const n = model.nPositions;
  const useModel = n > 0 ? `, or clear it to use the model's ${n}` : '';
  const upTo = n > 0 ? ` from 2 to ${n} (the model's n_positions)` : ' of 2 or more';
  if (s.context !== undefined && (!whole(s.context) || s.context < 2 || (n > 0 && s.context > n))) {
    return `context ${s.context} is not a usable window: give a whole number${upTo}${useModel}`;
  }
  const context = s.context ?? n;
  if (!(context >= 2)) return 'this model does not say its context length: give a context of 2 or more';
  if (s.stride !== undefined && (!whole(s.stride) || s.stride < 1 || s.stride > context)) {
    return `stride ${s.stride} does not fit the context ${context}: give a whole number from 1 to ${context}, or press "stride = context"`;
  }
  if (!Array.isArray(s.backends) || s.backends.length === 0) return 'no backend ticked: tick WebGPU or WASM';
  for (const b of s.backends) {
    if (!(BACKENDS as readonly string[]).includes(b)) return `unknown backend "${b}": tick WebGPU or WASM`;
    const tokens = s.tokens?.[b];
    if (!whole(tokens) || tokens < 2) return `tokens on ${b} is ${tokens}: give a whole number of 2 or more`;
    // what the run will ask the engine for (tokens capped at the dataset's length)
    const problem = checkWindowSettings(evalSettings(s, model as ModelSummary, b));
    if (problem) return `${problem}: change tokens, context or stride`;
  }
  if (!whole(s.throughputRuns) || s.throughputRuns < 0 || s.throughputRuns > MAX_RUNS) {
    return `throughput runs ${s.throughputRuns}: give a whole number from 0 to ${MAX_RUNS}`;
  }
  for (const spec of Array.isArray(s.variants) ? s.variants : []) {
    const normalized = tryNormalize(spec);
    if (typeof normalized === 'string') return `${normalized}: remove that variant or pick another option`;
  }
  return undefined;
}
