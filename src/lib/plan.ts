/**
 * Turns the run settings into the queue of jobs: baseline evaluation on each backend, then per
 * variant: make it, then evaluate it on each backend; last, per backend, one interleaved speed
 * comparison of the baseline and every variant (speed figures come from there, not from the
 * evaluations, so run order and drift land on every model alike). Pure, so it reads top to bottom.
 */
import type { Backend, EvalSettings, ModelSummary, SpeedSettings, VariantSpec } from '../../workers/api';
import { DEFAULT_SPEED, type Job, type RunSettings } from '../store/types';
import { specKey } from '../store/results';
import { specLabel, uniqueSpecs } from './specs';

export const BACKEND_LABEL: Record<Backend, string> = { webgpu: 'WebGPU', wasm: 'WASM' };

export { specLabel };

/** The variants a run makes: the settings' list, each once. */
export function variantSpecs(s: RunSettings): VariantSpec[] {
  return uniqueSpecs(s.variants ?? []);
}

export function evalSettings(s: RunSettings, model: ModelSummary, backend: Backend): EvalSettings {
  const context = s.context ?? model.nPositions;
  const tokens = model.datasetTokens > 0 ? Math.min(s.tokens[backend], model.datasetTokens) : s.tokens[backend];
  return { backend, tokens, context, stride: s.stride ?? context, throughputRuns: s.throughputRuns };
}

/** The speed comparison's settings on a backend: seqLen within the context and the model, one warm-up each. */
export function speedSettings(s: RunSettings, model: ModelSummary, backend: Backend): SpeedSettings {
  const chosen = s.speed?.[backend] ?? DEFAULT_SPEED[backend];
  const context = s.context ?? model.nPositions;
  const limit = Math.min(context, model.nPositions || context, model.datasetTokens || context);
  return { backend, seqLen: Math.max(1, Math.min(chosen.seqLen ?? context, limit)), runs: chosen.runs, warmup: 1 };
}

/** The engine times at most this many models in one interleaved comparison (workers/engine.ts). */
export const MAX_SPEED_MODELS = 8;

/** The baseline with the variants, in groups the engine accepts; the baseline is in every group as the common yardstick. */
export function speedGroups(variantKeys: string[]): string[][] {
  const per = MAX_SPEED_MODELS - 1;
  const groups: string[][] = [];
  for (let i = 0; i < variantKeys.length || i === 0; i += per) groups.push(['baseline', ...variantKeys.slice(i, i + per)]);
  return groups;
}

let seq = 0;
const newId = (what: string) => `${what}-${Date.now().toString(36)}-${(seq++).toString(36)}`;

/** WASM first: it is the faster one on machines without a GPU, so numbers appear sooner. */
const RUN_ORDER: readonly Backend[] = ['wasm', 'webgpu'];

export function planJobs(s: RunSettings): Job[] {
  const backends = RUN_ORDER.filter((b) => s.backends.includes(b));
  const evalJob = (variantKey: string, label: string, backend: Backend): Job => ({
    id: newId('eval'), kind: 'eval', variantKey, label: `${label} · ${BACKEND_LABEL[backend]}`, backend, status: 'queued',
  });
  const jobs: Job[] = backends.map((b) => evalJob('baseline', 'baseline', b));
  for (const spec of variantSpecs(s)) {
    const key = specKey({ spec });
    const label = specLabel(spec);
    jobs.push({ id: newId('variant'), kind: 'variant', variantKey: key, label: `${label} · make (${s.device === 'webgpu' ? 'WebGPU' : 'CPU'} kernels)`, spec, status: 'queued' });
    for (const b of backends) jobs.push(evalJob(key, label, b));
  }
  const runId = newId('run');
  const keys = variantSpecs(s).map((spec) => specKey({ spec }));
  const groups = speedGroups(keys);
  for (const b of backends) {
    groups.forEach((group, i) => {
      const part = groups.length > 1 ? ` ${i + 1}/${groups.length}` : '';
      const models = group.length === 1 ? 'baseline' : `baseline + ${group.length - 1} variant${group.length === 2 ? '' : 's'}`;
      jobs.push({ id: newId('speed'), kind: 'speed', variantKey: 'speed', variantKeys: group, runId, label: `speed${part} · ${BACKEND_LABEL[b]} · interleaved, ${models}`, backend: b, status: 'queued' });
    });
  }
  return jobs;
}
