// The fuzz cases run here, in a worker_thread (tests/reliability.fuzz.test.ts starts it with tsx),
// so a case that never returns, even a synchronous loop, is caught: the test's thread waits for the
// answer with a deadline and terminates this worker when it passes. Each message is one case:
// { id, kind, input } → { id, outcome, ms, detail }. An outcome is 'loaded' / 'accepted', 'typed:<code>'
// (an error named with one of ERROR_CODES), 'crash:<name>' (any other throw) or 'unsound:<why>' (an
// accepted input that is not what acceptance promises: checked below, so removing a validation
// fails the test instead of passing quietly).
import { parentPort } from 'node:worker_threads';
import { ERROR_CODES, type EvalSettings, type ModelSummary } from '../workers/api';
import { validateSettings } from '../workers/eval/evaluate';
import { buildModel, gatherFiles, type DroppedFile, type LoadedModel } from '../workers/model/load';
import { decodeModel, readF32 } from '../workers/model/onnx-graph';
import type { RunSettings } from '../src/store/types';

// the compression registry may read WebGPU constants at import time; Node has none
const g = globalThis as Record<string, unknown>;
g.GPUBufferUsage ??= { MAP_READ: 1, MAP_WRITE: 2, COPY_SRC: 4, COPY_DST: 8, INDEX: 16, VERTEX: 32, UNIFORM: 64, STORAGE: 128, INDIRECT: 256, QUERY_RESOLVE: 512 };
g.GPUMapMode ??= { READ: 1, WRITE: 2 };

export const FUZZ_TEXT = 'the a of and to in is the of a and '.repeat(8);

/** What a loaded model promises the rest of the lab: undefined when it holds, else why not. */
function unsoundModel(m: LoadedModel): string | undefined {
  try {
    return unsoundWeights(m);
  } catch (e) {
    return `reading it threw ${(e as Error).name}: ${(e as Error).message}`;
  }
}

function unsoundWeights(m: LoadedModel): string | undefined {
  decodeModel(m.baselineBytes); // ORT gets these bytes: they must decode
  if (!m.linear.length) return 'loaded with no linear weights';
  for (const w of m.linear) {
    const t = m.parsed.tensors.get(w.name);
    if (!t) return `${w.name}: listed, not in the graph`;
    if (!t.dims.every((d) => Number.isSafeInteger(d) && d > 0)) return `${w.name}: dims [${t.dims}]`;
    if (w.shape.length !== 2 || w.shape[0] * w.shape[1] !== t.dims.reduce((a, b) => a * b, 1)) return `${w.name}: shape [${w.shape}] vs dims [${t.dims}]`;
    const values = readF32(t);
    if (values.length !== w.shape[0] * w.shape[1]) return `${w.name}: ${values.length} values for shape [${w.shape}]`;
  }
  if (!(m.datasetIds.length > 0)) return 'the evaluation text gave no tokens';
  return undefined;
}

/**
 * Run settings the UI lets through (runSettingsProblem is undefined) must plan jobs the engine
 * accepts: every evaluation's settings pass validateSettings, every speed comparison's seqLen is
 * within the context, every variant's spec resolves. A refusal is BadOption, as the engine's.
 */
async function planRun({ settings, model }: { settings: RunSettings; model: Pick<ModelSummary, 'nPositions' | 'datasetTokens'> }): Promise<string | undefined> {
  const { runSettingsProblem } = await import('../src/lib/run-settings-check');
  const { planJobs, evalSettings, speedSettings } = await import('../src/lib/plan');
  const { resolveSpec } = await import('../workers/variants/make-variant');
  const problem = runSettingsProblem(settings, model);
  if (problem) {
    const e = new Error(problem);
    e.name = 'BadOption';
    throw e;
  }
  const jobs = planJobs(settings);
  const ids = new Int32Array(model.datasetTokens);
  // past the check, any refusal means the check let through what the engine refuses
  try {
    for (const j of jobs) {
      const summary = model as ModelSummary;
      if (j.kind === 'eval') validateSettings(evalSettings(settings, summary, j.backend!), { ids, nPositions: model.nPositions });
      if (j.kind === 'speed') {
        const s = speedSettings(settings, summary, j.backend!);
        if (!(Number.isInteger(s.seqLen) && s.seqLen >= 1 && s.seqLen <= evalSettings(settings, summary, j.backend!).context)) return `speed seqLen ${s.seqLen}`;
      }
      if (j.kind === 'variant') resolveSpec(j.spec!, settings.device);
    }
  } catch (e) {
    return `accepted, then refused: ${(e as Error).name}: ${(e as Error).message}`;
  }
  if (!jobs.some((j) => j.kind === 'eval')) return 'accepted with no evaluation planned';
  return undefined;
}

type Runner = (input: any) => unknown;
const RUNNERS: Record<string, Runner> = {
  load: (files: DroppedFile[]) => unsoundModel(buildModel(gatherFiles(files), FUZZ_TEXT)),
  spec: async ({ spec, device }) => {
    const { resolveSpec } = await import('../workers/variants/make-variant');
    resolveSpec(spec, device);
  },
  settings: (s: EvalSettings) => validateSettings(s, { ids: new Int32Array(4096), nPositions: 256 }),
  plan: planRun,
  // the deadline's own test: a synchronous loop that never ends
  hang: () => {
    for (;;);
  },
};

parentPort!.on('message', async ({ id, kind, input }: { id: number; kind: string; input: unknown }) => {
  const t0 = performance.now();
  let outcome: string;
  let detail = '';
  try {
    const unsound = await RUNNERS[kind](input);
    outcome = typeof unsound === 'string' ? `unsound:${unsound}` : kind === 'load' ? 'loaded' : 'accepted';
  } catch (e) {
    const name = (e as { name?: string } | null)?.name ?? typeof e;
    outcome = (ERROR_CODES as readonly string[]).includes(name) ? `typed:${name}` : `crash:${name}`;
    detail = `${String((e as Error)?.message).slice(0, 200)}${process.env.FUZZ_STACK ? `\n${(e as Error)?.stack}` : ''}`;
  }
  parentPort!.postMessage({ id, outcome, detail, ms: performance.now() - t0 });
});
