/**
 * The engine: the object behind LabApi. It holds the loaded models and their variants (tensors
 * never leave the worker), and turns each call into model I/O, kernels or evaluation.
 * engine.worker.ts exposes it with comlink; tests may call it directly.
 */
import type {
  Backend, Capabilities, ClassificationResult, ClassifySettings, DecodeSpeedResult, DecodeSpeedSettings, EvalForm, GenerateSettings, GenerationResult, PrefillSpeedResult, PrefillSpeedSettings, EvalResult, EvalSettings, ExportedVariant, ExportMeasurements, InputFile, KernelDevice, LabApi, LoadOptions,
  ModelSummary, ProgressFn, SpeedResult, SpeedSettings, VariantSpec, VariantSummary,
} from './api';
import { EVAL_FORMS } from './api';
import { capabilities } from './capabilities';
import { WASM32_BYTES } from './model/declared-size';
import { labError } from './errors';
import { evaluateTarget, type TargetResult } from './eval/evaluate';
import { baselineAsRun, f32InsteadOfHalf, NO_SHADER_F16 } from './eval/f16-fallback';
import { agreeWithOtherBackend, forgetScores } from './eval/agreement';
import { getSession, releaseSessions } from './eval/ort-runtime';
import { evalTextIds } from './eval/eval-text-ids';
import { tokenizerFacts } from './eval/token-bytes';
import { interleavedSpeed } from './eval/speed';
import { cancelJob, runJob, type Job } from './jobs';
import { isClassifier } from './model/classifier';
import { classifyTarget } from './eval/classify';
import { generateTarget } from './eval/generate';
import { prefillSpeedOf } from './eval/batch-speed';
import { decodeSpeedOf } from './eval/decode-speed';
import { forgetCompanion, KV_DECODER_PATH, kvRunnable, kvVariant, prefetchCompanion } from './eval/kv-companion';
import { examplesFromFile } from './eval/labelled-file';
import { buildModel, fetchDataset, fetchExamples, gatherDemo, gatherDropped, readExternal, withTokenizer, type LoadedModel, type ModelSource } from './model/load';
import { exportVariant } from './variants/export-zip';
import { exportGraph } from './variants/export-graph';
import { measurePropagation, ortHiddenRunner } from './eval/error-propagation';
import type { ErrorPropagationResult, ErrorPropagationSettings } from './api';
import { makeVariant, resolveSpec, variantId, type VariantRecord } from './variants/make-variant';
import { putCalibrationText } from './calibration/texts';
import { storedForm } from './eval/stored-form';
import { warmKernels } from './compression/warm-kernels';

/**
 * Above this size a variant is not scored against its base unless asked (settings.compareToBase):
 * the pair graph holds both models, which took a 124 M model's evaluation from 5.5× to 9× its
 * file in browser memory (bench "scale").
 */
const PAIR_DEFAULT_MAX_BYTES = 256 * 2 ** 20;
/** Models kept loaded at once (each holds its bytes, tokens and variants). */
const MAX_MODELS = 2;
/** Models one speed comparison may hold open at once. */
const MAX_SPEED_TARGETS = 8;
const MAX_SPEED_RUNS = 200;
/** Variants kept at once: each holds its packed model (and its f32 twin once one was asked for). */
const MAX_VARIANTS = 8;

export function createEngine(): LabApi {
  const models = new Map<string, LoadedModel>();
  const variants = new Map<string, VariantRecord>();
  let datasetText: Promise<string> | undefined;

  const dataset = () => {
    datasetText ??= fetchDataset();
    datasetText.catch(() => (datasetText = undefined));
    return datasetText;
  };

  async function admit(src: ModelSource): Promise<ModelSummary> {
    const model = buildModel(src, await dataset(), isClassifier(src.proto, src.config) ? await fetchExamples() : undefined);
    const id = model.summary.id;
    models.delete(id);
    models.set(id, model);
    while (models.size > MAX_MODELS) {
      const oldest = models.keys().next().value!;
      await dropModel(oldest);
    }
    warmKernels();
    return model.summary;
  }

  async function dropModel(id: string): Promise<void> {
    models.delete(id);
    for (const k of [...variants.keys()]) if (variants.get(k)!.summary.modelId === id) variants.delete(k);
    await releaseSessions(id);
    forgetScores(id);
    forgetCompanion(id);
  }

  function getModel(modelId: string): LoadedModel {
    const m = models.get(modelId);
    if (!m) throw labError('BadOption', `unknown model id "${modelId}"; loaded: ${[...models.keys()].join(', ') || 'none'}`);
    return m;
  }

  function getVariant(modelId: string, vId: string): VariantRecord {
    const v = variants.get(vId);
    if (!v || v.summary.modelId !== modelId) {
      throw labError(
        'BadOption',
        `unknown variant "${vId}" of ${modelId} (only the last ${MAX_VARIANTS} are kept; makeVariant again to rebuild it); kept: baseline, ${[...variants.keys()].join(', ') || 'none'}`,
      );
    }
    // most recently used last, so the oldest is dropped first
    variants.delete(vId);
    variants.set(vId, v);
    return v;
  }

  /**
   * The f32 twin of a variant, made on first request by running its kernels again (they are
   * deterministic). Only one twin is kept: each is as big as the source model.
   */
  async function ensureSimulated(model: LoadedModel, v: VariantRecord, job: Job): Promise<void> {
    if (v.simulatedBytes) return;
    for (const [id, other] of variants) {
      if (other === v || !other.simulatedBytes) continue;
      other.simulatedBytes = undefined;
      await releaseSessions(`${id}|simulated`);
    }
    const again = await makeVariant(model, v.summary.spec, v.summary.device, job, { simulated: true });
    v.simulatedBytes = again.simulatedBytes;
  }

  /** Why a result comes from the f32 twin: the EP refused the packed model. */
  const refusedReason = (backend: Backend | undefined, e: unknown) => `${backend} could not run the packed model (${(e as Error).message}); these numbers come from its f32 twin`;

  /**
   * What a speed or generation call runs: the source model (its f32 reference where WebGPU cannot
   * run fp16, labelled), or a variant's packed model — opened here (getSession caches it for the
   * run), so that where the EP refuses it the call runs the f32 twin and says so, as evaluate does.
   * `open: false` (compareSpeed, whose sessions are opened pinned) skips the check; compareSpeed
   * asks again with it after a refusal.
   */
  async function runnable(modelId: string, vId: string, backend: Backend | undefined, job: Job, open = true): Promise<{ key: string; getBytes: () => Uint8Array; form: EvalForm; formReason?: string }> {
    const model = getModel(modelId);
    if (vId === 'baseline') return baselineAsRun(modelId, model, backend);
    const v = getVariant(modelId, vId);
    // a variant stored simulated (3-bit) runs its f32 weights as stored: labelled simulated, with its format as the reason
    const packed = { key: `${modelId}|${vId}|packed`, getBytes: () => v.packedBytes, ...storedForm(v.summary) };
    if (!open || !backend) return packed;
    try {
      await getSession(packed.key, backend, packed.getBytes);
      return packed;
    } catch (e) {
      if ((e as Error).name !== 'SessionFailed') throw e;
      await ensureSimulated(model, v, job);
      return { key: `${modelId}|${vId}|simulated`, getBytes: () => v.simulatedBytes!, form: 'simulated', formReason: refusedReason(backend, e) };
    }
  }
  /** The form fields a result carries when the model did not run as published. */
  const asRun = (r: { form: EvalForm; formReason?: string }) => (r.form === 'simulated' ? { form: r.form, formReason: r.formReason } : {});

  /** The WASM threads, and on WebGPU the adapter, that go with every speed figure. */
  async function where(backend: string): Promise<{ wasmThreads: number; adapter?: string }> {
    const caps = await capabilities();
    return { wasmThreads: caps.wasmThreads, ...(backend === 'webgpu' ? { adapter: caps.adapter } : {}) };
  }

  async function requireWebGpu(what: string): Promise<void> {
    const caps = await capabilities();
    if (!caps.webgpu) throw labError('WebGpuUnavailable', `${what} needs WebGPU: ${caps.webgpuReason}`);
  }

  return {
    async capabilities(): Promise<Capabilities> {
      return { ...(await capabilities()) };
    },

    async loadDemo(name: string): Promise<ModelSummary> {
      const existing = models.get(`demo:${name}`);
      if (existing) return existing.summary;
      const summary = await admit(await gatherDemo(name));
      // its KV-cache decoder comes with it, so export and decode timing work offline too
      prefetchCompanion(models.get(summary.id)!);
      return summary;
    },

    async loadFiles(files: InputFile[], options?: LoadOptions): Promise<ModelSummary> {
      if (!Array.isArray(files) || !files.length) throw labError('MissingFile', 'expected the files of a model folder, got none');
      const limits = { wasmBytes: WASM32_BYTES, gpu: (await capabilities()).gpuLimits };
      return admit(await readExternal(await withTokenizer(await gatherDropped(files), options?.tokenizer), limits));
    },

    makeVariant(modelId: string, spec: VariantSpec, device: KernelDevice, jobId: string, onProgress: ProgressFn): Promise<VariantSummary> {
      return runJob(jobId, onProgress, async (job) => {
        const model = getModel(modelId);
        const resolved = resolveSpec(spec, device);
        if (device === 'webgpu') await requireWebGpu('the webgpu kernel device');
        const id = variantId(modelId, resolved, device);
        const cached = variants.get(id);
        if (cached) {
          variants.delete(id);
          variants.set(id, cached);
          return cached.summary;
        }
        const rec = await makeVariant(model, resolved, device, job);
        variants.set(id, rec);
        while (variants.size > MAX_VARIANTS) {
          const oldest = variants.keys().next().value!;
          variants.delete(oldest);
          await releaseSessions(oldest);
        }
        return rec.summary;
      });
    },

    evaluate(modelId: string, vId: string, settings: EvalSettings, jobId: string, onProgress: ProgressFn): Promise<EvalResult> {
      return runJob(jobId, onProgress, async (job) => {
        const model = getModel(modelId);
        if (model.summary.task === 'sequence-classification') throw labError('BadOption', `${model.summary.name} is a sequence classifier: its logits are labels, not next tokens; classify it on labelled examples instead of scoring perplexity`);
        if (settings?.backend === 'webgpu') await requireWebGpu('the webgpu backend');
        const asked: EvalForm = settings?.form ?? 'packed';
        if (!(EVAL_FORMS as readonly string[]).includes(asked)) throw labError('BadOption', `form must be one of ${EVAL_FORMS.join(', ')}; got "${asked}"`);
        // scoring against the base holds both models in one graph: by default only while that stays small
        const big = model.baselineSize > PAIR_DEFAULT_MAX_BYTES;
        const withBase = settings?.compareToBase ?? !big;
        const klSkipped = vId !== 'baseline' && !withBase && settings?.compareToBase === undefined
          ? `not scored against the base: the model is ${(model.baselineSize / 2 ** 20).toFixed(0)} MiB and the pair graph would hold it twice (over ${PAIR_DEFAULT_MAX_BYTES / 2 ** 20} MiB; ask with compareToBase)`
          : undefined;
        const facts = tokenizerFacts(model.folder.tokenizerJson, model.tokenizer, model.summary.vocabSize);
        const text = settings?.text;
        const ids = text ? evalTextIds(model.tokenizer, String(text.name), text.data) : model.datasetIds;
        const datasetName = text ? String(text.name) : model.summary.datasetName;
        const f32Base = await f32InsteadOfHalf(model, settings?.backend);
        // the evaluation's throughput is a speed figure: it names its threads / adapter
        const at = await where(settings?.backend);
        const target = {
          ids, datasetName, nPositions: model.summary.nPositions, tokenBytes: facts.bytes, bos: facts.bos,
          ...(vId !== 'baseline' && withBase ? { base: f32Base ?? (() => model.baselineBytes) } : {}),
        };
        const finish = (form: EvalForm, r: TargetResult, formReason?: string): EvalResult => {
          const { scores, ...measured } = r;
          const agreement = agreeWithOtherBackend(`${modelId}|${vId}|${form}|${datasetName}:${ids.length}`, settings, scores);
          return {
            modelId, variantId: vId, form, ...(formReason ? { formReason } : {}), settings: { ...settings, text: undefined }, ...measured, ...at, ...(agreement ? { agreement } : {}), ...(klSkipped ? { klSkipped } : {}), finishedAt: new Date().toISOString(),
          };
        };
        if (vId === 'baseline') {
          if (f32Base) return finish('simulated', await evaluateTarget({ ...target, key: `${modelId}|f32Base`, getBytes: f32Base }, settings, job), NO_SHADER_F16);
          return finish('packed', await evaluateTarget({ ...target, key: `${modelId}|baseline`, getBytes: () => model.baselineBytes }, settings, job));
        }
        const v = getVariant(modelId, vId);
        const simulated = async (reason?: string) => {
          await ensureSimulated(model, v, job);
          return finish('simulated', await evaluateTarget({ ...target, key: `${modelId}|${vId}|simulated`, getBytes: () => v.simulatedBytes! }, settings, job), reason);
        };
        if (asked === 'simulated') return simulated();
        try {
          const stored = storedForm(v.summary);
          return finish(stored.form, await evaluateTarget({ ...target, key: `${modelId}|${vId}|packed`, getBytes: () => v.packedBytes }, settings, job), stored.formReason);
        } catch (e) {
          if ((e as Error).name !== 'SessionFailed') throw e;
          return simulated(refusedReason(settings.backend, e));
        }
      });
    },

    prefillSpeed(modelId: string, vId: string, settings: PrefillSpeedSettings, jobId: string, onProgress: ProgressFn): Promise<PrefillSpeedResult> {
      return runJob(jobId, onProgress, async (job) => {
        const model = getModel(modelId);
        if (settings?.backend === 'webgpu') await requireWebGpu('the webgpu backend');
        const run = await runnable(modelId, vId, settings?.backend, job);
        const r = await prefillSpeedOf({ key: run.key, getBytes: run.getBytes, ids: model.datasetIds, nPositions: model.summary.nPositions }, settings, job);
        return { modelId, variantId: vId, settings: { ...settings }, ...r, ...asRun(run), ...(await where(settings.backend)), finishedAt: new Date().toISOString() };
      });
    },

    decodeSpeed(modelId: string, vId: string, settings: DecodeSpeedSettings, jobId: string, onProgress: ProgressFn): Promise<DecodeSpeedResult> {
      return runJob(jobId, onProgress, async (job) => {
        const model = getModel(modelId);
        if (model.summary.task === 'sequence-classification') throw labError('BadOption', `${model.summary.name} is a sequence classifier: it writes no tokens to time`);
        if (settings?.backend === 'webgpu') await requireWebGpu('the webgpu backend');
        const run = settings?.kvDecoder ? undefined : await runnable(modelId, vId, settings?.backend, job);
        const t = run
          ? { key: run.key, getBytes: run.getBytes, ids: model.datasetIds, nPositions: model.summary.nPositions, graph: model.summary.onnxPath }
          : await kvRunnable(model, vId, vId === 'baseline' ? undefined : getVariant(modelId, vId), dataset, job);
        const r = await decodeSpeedOf(t, settings, job);
        return { modelId, variantId: vId, settings: { ...settings }, graph: t.graph, ...r, ...(run ? asRun(run) : {}), ...(await where(settings.backend)), finishedAt: new Date().toISOString() };
      });
    },

    generate(modelId: string, vId: string, settings: GenerateSettings, jobId: string, onProgress: ProgressFn): Promise<GenerationResult> {
      return runJob(jobId, onProgress, async (job) => {
        const model = getModel(modelId);
        if (model.summary.task === 'sequence-classification') throw labError('BadOption', `${model.summary.name} is a sequence classifier: it has no next-token logits to generate from`);
        if (settings?.backend === 'webgpu') await requireWebGpu('the webgpu backend');
        const run = await runnable(modelId, vId, settings?.backend, job);
        const r = await generateTarget({ tokenizer: model.tokenizer, nPositions: model.summary.nPositions, key: run.key, getBytes: run.getBytes }, settings, job);
        return { modelId, variantId: vId, form: 'packed', settings: { ...settings }, ...r, ...asRun(run), ...(await where(settings.backend)), finishedAt: new Date().toISOString() };
      });
    },

    classify(modelId: string, vId: string, settings: ClassifySettings, jobId: string, onProgress: ProgressFn): Promise<ClassificationResult> {
      return runJob(jobId, onProgress, async (job) => {
        const model = getModel(modelId);
        if (!model.summary.labels || (!model.examples && !settings?.examplesFile)) throw labError('BadOption', `${model.summary.name} is not a sequence classifier with labelled examples; evaluate its perplexity instead`);
        if (settings?.backend === 'webgpu') await requireWebGpu('the webgpu backend');
        const file = settings?.examplesFile;
        const examples = file ? examplesFromFile(model.tokenizer, String(file.name), file.data, model.summary.labels, model.summary.nPositions || 512) : model.examples!;
        const target = { examples, labels: model.summary.labels };
        const finish = (form: EvalForm, r: Awaited<ReturnType<typeof classifyTarget>>, formReason?: string): ClassificationResult => ({
          modelId, variantId: vId, form, ...(formReason ? { formReason } : {}), settings: { ...settings, examplesFile: undefined }, dataset: file ? String(file.name) : model.summary.examples!.name, labels: [...model.summary.labels!], ...r, finishedAt: new Date().toISOString(),
        });
        if (vId === 'baseline') {
          const run = await baselineAsRun(modelId, model, settings?.backend);
          return finish(run.form, await classifyTarget({ ...target, key: run.key, getBytes: run.getBytes }, settings, job), run.formReason);
        }
        const v = getVariant(modelId, vId);
        try {
          const stored = storedForm(v.summary);
          return finish(stored.form, await classifyTarget({ ...target, key: `${modelId}|${vId}|packed`, getBytes: () => v.packedBytes }, settings, job), stored.formReason);
        } catch (e) {
          if ((e as Error).name !== 'SessionFailed') throw e;
          await ensureSimulated(model, v, job);
          return finish('simulated', await classifyTarget({ ...target, key: `${modelId}|${vId}|simulated`, getBytes: () => v.simulatedBytes! }, settings, job), refusedReason(settings.backend, e));
        }
      });
    },

    compareSpeed(modelId: string, ids: string[], settings: SpeedSettings, jobId: string, onProgress: ProgressFn): Promise<SpeedResult[]> {
      return runJob(jobId, onProgress, async (job) => {
        const model = getModel(modelId);
        const bad = (m: string) => labError('BadOption', m);
        if (!Array.isArray(ids) || !ids.length || ids.length > MAX_SPEED_TARGETS) throw bad(`expected 1 to ${MAX_SPEED_TARGETS} variant ids (or 'baseline'), got ${ids?.length}`);
        if (new Set(ids).size !== ids.length) throw bad(`each model may appear once in a speed comparison, got ${ids.join(', ')}`);
        const { backend, seqLen, runs } = settings ?? ({} as SpeedSettings);
        const warmup = settings?.warmup ?? 1;
        if (backend !== 'webgpu' && backend !== 'wasm') throw bad(`backend must be one of webgpu, wasm; got "${backend}"`);
        if (backend === 'webgpu') await requireWebGpu('the webgpu backend');
        const maxLen = Math.min(model.datasetIds.length, model.summary.nPositions || model.datasetIds.length);
        if (!Number.isInteger(seqLen) || seqLen < 1 || seqLen > maxLen) throw bad(`seqLen must be an integer in [1, ${maxLen}], got ${seqLen}`);
        if (!Number.isInteger(runs) || runs < 1 || runs > MAX_SPEED_RUNS) throw bad(`runs must be an integer in [1, ${MAX_SPEED_RUNS}], got ${runs}`);
        if (!Number.isInteger(warmup) || warmup < 0 || warmup > 10) throw bad(`warmup must be an integer in [0, 10], got ${warmup}`);
        const asRunBy = new Map<string, Awaited<ReturnType<typeof runnable>>>();
        for (const id of ids) asRunBy.set(id, await runnable(modelId, id, backend, job, false));
        const window = BigInt64Array.from(model.datasetIds.subarray(0, seqLen), (x) => BigInt(x));
        const timed = () => interleavedSpeed(ids.map((id) => ({ id, key: asRunBy.get(id)!.key, getBytes: asRunBy.get(id)!.getBytes })), backend, window, runs, warmup, job);
        let samples: Awaited<ReturnType<typeof interleavedSpeed>>;
        try {
          samples = await timed();
        } catch (e) {
          if ((e as Error).name !== 'SessionFailed') throw e;
          // a packed model the EP refused: find which (opening each), time their f32 twins instead
          for (const id of ids) asRunBy.set(id, await runnable(modelId, id, backend, job));
          await releaseSessions(`${modelId}|`);
          samples = await timed();
        }
        const caps = await capabilities();
        const finishedAt = new Date().toISOString();
        return samples.map(({ id, ...measured }) => ({
          modelId,
          variantId: id,
          form: 'packed' as const,
          ...asRun(asRunBy.get(id)!),
          ...measured,
          interleavedWith: ids.filter((x) => x !== id),
          wasmThreads: caps.wasmThreads,
          ...(backend === 'webgpu' ? { adapter: caps.adapter } : {}),
          finishedAt,
        }));
      });
    },

    exportVariant(modelId: string, vId: string, measured: ExportMeasurements, jobId: string, onProgress: ProgressFn): Promise<ExportedVariant> {
      return runJob(jobId, onProgress, async (job) => {
        const model = getModel(modelId);
        const v = getVariant(modelId, vId);
        // a KV-cache decoder where the lab has one, so transformers.js can generate (variants/export-graph.ts)
        const kv = model.summary.source === 'demo' ? { file: KV_DECODER_PATH, make: () => kvVariant(model, vId, v, dataset, job) } : undefined;
        const graph = await exportGraph(model, v, kv);
        job.progress('export', 0, 1, 'zipping the model folder');
        const out = await exportVariant(v.summary, graph, model, measured?.results ?? []);
        job.progress('export', 1, 1);
        return out;
      });
    },

    errorPropagation(modelId: string, ids: string[], settings: ErrorPropagationSettings, jobId: string, onProgress: ProgressFn): Promise<ErrorPropagationResult[]> {
      return runJob(jobId, onProgress, async (job) => {
        const model = getModel(modelId);
        const bad = (m: string) => labError('BadOption', m);
        if (model.summary.task === 'sequence-classification') throw bad(`${model.summary.name} is a sequence classifier; error propagation follows a decoder's residual stream`);
        if (model.summary.published?.compute === 'fp16') throw bad(`${model.summary.name} computes in half precision; its hidden states are not f32`);
        if (!Array.isArray(ids) || !ids.length || ids.length > MAX_VARIANTS) throw bad(`expected 1 to ${MAX_VARIANTS} variant ids (or 'baseline'), got ${ids?.length}`);
        const backend = settings?.backend;
        if (backend !== 'webgpu' && backend !== 'wasm') throw bad(`backend must be one of webgpu, wasm; got "${backend}"`);
        if (backend === 'webgpu') await requireWebGpu('the webgpu backend');
        const windows = settings.windows ?? 2;
        const context = settings.context ?? Math.min(model.summary.nPositions || model.datasetIds.length, model.datasetIds.length);
        if (!Number.isInteger(windows) || windows < 1 || windows > 16) throw bad(`windows must be an integer in [1, 16], got ${windows}`);
        const maxContext = Math.min(model.summary.nPositions || Infinity, Math.floor(model.datasetIds.length / windows));
        if (!Number.isInteger(context) || context < 2 || context > maxContext) throw bad(`context must be an integer in [2, ${maxContext}] for ${windows} windows, got ${context}`);
        const targets = ids.map((id) => {
          if (id === 'baseline') return { id, label: 'baseline', bytes: () => model.baselineBytes, form: 'packed' as const };
          const v = getVariant(modelId, id);
          return { id, label: v.summary.label, bytes: () => v.packedBytes, form: storedForm(v.summary).form };
        });
        const rows = Array.from({ length: windows }, (_, w) => BigInt64Array.from(model.datasetIds.subarray(w * context, (w + 1) * context), (x) => BigInt(x)));
        const out = await measurePropagation(model.parsed.proto.graph!, () => model.baselineBytes, targets, rows, ortHiddenRunner(backend), job);
        const finishedAt = new Date().toISOString();
        return out.results.map((r) => ({
          modelId, variantId: r.id, form: targets.find((t) => t.id === r.id)!.form, settings: { backend, windows, context }, dataset: model.summary.datasetName,
          tokens: windows * context, rule: out.rule, points: r.points, seconds: r.seconds, finishedAt,
        }));
      });
    },

    async putCalibrationText(ref: string, name: string, data: Uint8Array): Promise<void> {
      putCalibrationText(ref, name, data);
    },

    async cancel(jobId: string): Promise<void> {
      cancelJob(jobId);
    },
  };
}
