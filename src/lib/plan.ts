/**
 * Turns the run settings into the queue of jobs: baseline evaluation on each backend, then per
 * variant: make it, then evaluate it on each backend. Pure, so it reads top to bottom.
 */
import type { Backend, EvalSettings, ModelSummary, VariantSpec } from '../../workers/api';
import type { Job, RunSettings } from '../store/types';
import { specKey } from '../store/results';

export const BACKEND_LABEL: Record<Backend, string> = { webgpu: 'WebGPU', wasm: 'WASM' };

export function specLabel(spec: VariantSpec): string {
  switch (spec.method) {
    case 'magnitude-prune':
      return `prune ${Math.round((spec.options.ratio ?? 0) * 100)}%`;
    case 'int8-channel':
      return 'INT8 per-channel';
    case 'int4-group':
      return `INT4 group-${spec.options.groupSize ?? 32}`;
    default:
      return String(spec.method);
  }
}

export function variantSpecs(s: RunSettings): VariantSpec[] {
  const specs: VariantSpec[] = [];
  if (s.prune) for (const ratio of [...s.pruneRatios].sort()) specs.push({ method: 'magnitude-prune', options: { ratio } });
  if (s.int8) specs.push({ method: 'int8-channel', options: {} });
  if (s.int4) specs.push({ method: 'int4-group', options: { groupSize: s.int4GroupSize } });
  return specs;
}

export function evalSettings(s: RunSettings, model: ModelSummary, backend: Backend): EvalSettings {
  const context = s.context ?? model.nPositions;
  const tokens = model.datasetTokens > 0 ? Math.min(s.tokens[backend], model.datasetTokens) : s.tokens[backend];
  return { backend, tokens, context, stride: s.stride ?? context, throughputRuns: s.throughputRuns };
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
  return jobs;
}
