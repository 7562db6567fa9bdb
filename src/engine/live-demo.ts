/**
 * Present mode's live demo: pick a method, and the loaded model is compressed on the spot, scored
 * on the first tokens of the evaluation text and asked to continue a prompt, next to the
 * uncompressed model doing the same. Nothing here goes into the results (a demo's short text is
 * not the study's setup); answers are kept for this page so stepping back to a method is instant.
 */
import type { Backend, VariantSpec } from '../../workers/api';
import { metaOf, specLabel, tryNormalize } from '../lib/specs';
import { specKey } from '../store/results';
import { useLab } from '../store';
import { modelKeyOf } from '../store/types';
import { bridge } from './lab';
import { toLabError } from './errors';

const lab = () => useLab.getState();
/** Each demo call is one generation: picking another method stops the one before (its job cancelled, its answers dropped). */
let generation = 0;
let current: string | undefined;

/** Tokens scored per answer: a quarter-second's worth on WASM for the demo LM, enough to move with the method. */
export const DEMO_TOKENS = 512;
export const DEMO_NEW_TOKENS = 24;

/** The methods offered, from mild to brutal; one the build lacks is left out. */
const WANTED: [string, Record<string, unknown>][] = [
  ['int8-channel', {}],
  ['int4-group', { groupSize: 32 }],
  ['rtn', { bits: 3, groupSize: 32 }],
  ['rtn', { bits: 2, groupSize: 32 }],
  ['magnitude-prune', { ratio: 0.5 }],
  ['magnitude-prune', { ratio: 0.9 }],
];

export interface DemoMethod {
  key: string;
  label: string;
  spec: VariantSpec;
}

export const demoMethods = (): DemoMethod[] => WANTED.flatMap(([method, options]) => {
  const meta = metaOf(method);
  const s = meta && tryNormalize({ method: method as VariantSpec['method'], options: { ...meta.defaults, ...options } as VariantSpec['options'] });
  return s && typeof s !== 'string' ? [{ key: specKey({ spec: s }), label: specLabel(s), spec: s }] : [];
});

export interface DemoAnswer {
  ppl: number;
  tokensScored: number;
  dataset: string;
  context: number;
  /** the prompt continued, and the continuation */
  prompt: string;
  text: string;
  newTokens: number;
  tokensPerS: number;
  /** 'packed' or 'simulated' (variant); 'source' for the baseline */
  form: string;
  /** why it did not run as packed (a 3-bit variant is stored f32; an EP refused the packed model) */
  formReason?: string;
  /** where the writing was timed: the backend, WASM threads, the WebGPU adapter */
  backend: Backend;
  wasmThreads?: number;
  adapter?: string;
}

export interface DemoAsk {
  backend: Backend;
  prompt: string;
}

const answers = new Map<string, DemoAnswer>();
const answerKey = (modelKey: string, method: string, ask: DemoAsk) => `${modelKey}|${method}|${ask.backend}|${ask.prompt}`;

/** A kept answer (undefined: not measured yet in this page). */
export function keptAnswer(method: string, ask: DemoAsk): DemoAnswer | undefined {
  const model = lab().model;
  return model ? answers.get(answerKey(modelKeyOf(model), method, ask)) : undefined;
}

/**
 * The baseline's and the method's answers ('baseline' for the baseline alone). `onAnswer` gets each
 * as it is ready; `onStep` a line of progress. Stops a demo already going on first.
 */
export async function demo(method: DemoMethod | 'baseline', ask: DemoAsk, onAnswer: (which: string, a: DemoAnswer) => void, onStep: (what: string) => void): Promise<void> {
  await stopDemo();
  const mine = generation;
  const stale = () => generation !== mine;
  const model = lab().model;
  if (!model) return;
  const modelKey = modelKeyOf(model);
  const context = Math.min(model.nPositions || 256, lab().settings.context ?? model.nPositions ?? 256);
  const tokens = model.datasetTokens > 0 ? Math.min(DEMO_TOKENS, model.datasetTokens) : DEMO_TOKENS;
  try {
    for (const which of method === 'baseline' ? ['baseline'] : ['baseline', method.key]) {
      const kept = answers.get(answerKey(modelKey, which, ask));
      if (kept) {
        onAnswer(which, kept);
        continue;
      }
      const job = (current = `demo-${mine}-${which === 'baseline' ? 'baseline' : 'variant'}`);
      const label = which === 'baseline' ? 'original' : (method as DemoMethod).label;
      let id = 'baseline';
      if (which !== 'baseline') {
        onStep(`${label}: compressing the model…`);
        const device = lab().capabilities?.webgpu ? lab().settings.device : 'cpu';
        id = (await bridge.makeVariant(model.id, (method as DemoMethod).spec, device, job, () => undefined)).id;
      }
      if (stale()) return;
      onStep(`${label}: scoring ${tokens} tokens…`);
      const e = await bridge.evaluate(model.id, id, { backend: ask.backend, tokens, context, stride: context, throughputRuns: 1, compareToBase: false }, job, () => undefined);
      if (stale()) return;
      onStep(`${label}: writing…`);
      const g = await bridge.generate(model.id, id, { backend: ask.backend, prompt: ask.prompt, maxNewTokens: DEMO_NEW_TOKENS }, job, (p) => !stale() && onStep(`${label}: writing, token ${p.done}/${p.total}`));
      if (stale()) return;
      const ran = e.form === 'simulated' ? e : g;
      const a: DemoAnswer = {
        ppl: e.perplexity.ppl, tokensScored: e.perplexity.tokensScored, dataset: e.perplexity.dataset, context: e.perplexity.context,
        prompt: ask.prompt, text: g.text, newTokens: g.tokens.length, tokensPerS: g.tokensPerS,
        // simulated if the scoring or the writing ran f32 (a 3-bit variant is stored f32; an EP refused the packed model); where: the writing's
        form: which === 'baseline' ? 'source' : ran.form, ...(ran.formReason ? { formReason: ran.formReason } : {}),
        backend: ask.backend, wasmThreads: g.wasmThreads, ...(g.adapter ? { adapter: g.adapter } : {}),
      };
      answers.set(answerKey(modelKey, which, ask), a);
      onAnswer(which, a);
    }
  } catch (e) {
    // a stopped demo ends quietly; anything else is the caller's to show
    if (!stale() && toLabError(e).code !== 'Cancelled') throw toLabError(e);
  } finally {
    if (current?.startsWith(`demo-${mine}-`)) current = undefined;
  }
}

/** Stops the demo going on (if any): its job is cancelled and nothing more of it is reported. */
export async function stopDemo(): Promise<void> {
  generation++;
  const job = current;
  current = undefined;
  if (job) await bridge.cancel(job);
}
