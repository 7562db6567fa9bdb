/**
 * The engine: the object behind LabApi. It holds the loaded models and their variants (tensors
 * never leave the worker), and turns each call into model I/O, kernels or evaluation.
 * engine.worker.ts exposes it with comlink; tests may call it directly.
 */
import type {
  Capabilities, EvalResult, EvalSettings, InputFile, KernelDevice, LabApi, ModelSummary, ProgressFn,
  VariantSpec, VariantSummary,
} from './api';
import { capabilities } from './capabilities';
import { labError } from './errors';
import { evaluateTarget } from './eval/evaluate';
import { releaseSessions } from './eval/ort-runtime';
import { cancelJob, runJob } from './jobs';
import { buildModel, fetchDataset, gatherDemo, gatherFiles, type LoadedModel, type ModelSource } from './model/load';
import { makeVariant, resolveSpec, variantId, type VariantRecord } from './variants/make-variant';

/** Models kept loaded at once (each holds its bytes, tokens and variants). */
const MAX_MODELS = 2;
/** Variants kept at once: each holds a full f32 evaluation model (~4 bytes per parameter). */
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
    const model = buildModel(src, await dataset());
    const id = model.summary.id;
    models.delete(id);
    models.set(id, model);
    while (models.size > MAX_MODELS) {
      const oldest = models.keys().next().value!;
      await dropModel(oldest);
    }
    return model.summary;
  }

  async function dropModel(id: string): Promise<void> {
    models.delete(id);
    for (const k of [...variants.keys()]) if (variants.get(k)!.summary.modelId === id) variants.delete(k);
    await releaseSessions(id);
  }

  function getModel(modelId: string): LoadedModel {
    const m = models.get(modelId);
    if (!m) throw labError('BadOption', `unknown model id "${modelId}"; loaded: ${[...models.keys()].join(', ') || 'none'}`);
    return m;
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
      return admit(await gatherDemo(name));
    },

    async loadFiles(files: InputFile[]): Promise<ModelSummary> {
      if (!Array.isArray(files) || !files.length) throw labError('MissingFile', 'expected the files of a model folder, got none');
      return admit(gatherFiles(files));
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
        if (settings?.backend === 'webgpu') await requireWebGpu('the webgpu backend');
        let getBytes: () => Uint8Array;
        if (vId === 'baseline') {
          getBytes = () => model.baselineBytes;
        } else {
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
          getBytes = () => v.evalBytes;
        }
        const { perplexity, throughput } = await evaluateTarget(
          { key: `${modelId}|${vId}`, getBytes, ids: model.datasetIds, datasetName: model.summary.datasetName, nPositions: model.summary.nPositions },
          settings,
          job,
        );
        return { modelId, variantId: vId, settings: { ...settings }, perplexity, throughput, finishedAt: new Date().toISOString() };
      });
    },

    async cancel(jobId: string): Promise<void> {
      cancelJob(jobId);
    },
  };
}
