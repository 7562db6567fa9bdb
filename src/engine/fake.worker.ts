/**
 * DEV ONLY (`?fake=1` on the dev server): a tiny stand-in for workers/engine.worker.ts with the
 * same LabApi, made-up numbers and realistic delays, to work on the UI without the engine.
 * Never used by the e2e tests or a build.
 */
import * as Comlink from 'comlink';
import type { EvalResult, LabApi, ModelSummary, VariantSummary } from '../../workers/api';

const nogpu = new URL(self.location.href).searchParams.get('nogpu') === '1';
const cancelled = new Set<string>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const err = (name: string, message: string) => Object.assign(new Error(message), { name });

const model: ModelSummary = {
  id: 'demo:brown-gpt2', name: 'brown-gpt2', source: 'demo', modelType: 'gpt2', nPositions: 128, vocabSize: 4096,
  totalParams: 1_200_000, linearParams: 800_000, onnxBytes: 4_800_000, inputNames: ['input_ids'], outputNames: ['logits'],
  datasetName: 'brown (test split)', datasetTokens: 20000,
  linearWeights: Array.from({ length: 8 }, (_, i) => ({
    name: `h.${i >> 1}.${i % 2 ? 'mlp.c_fc' : 'attn.c_attn'}.weight`, node: `/h.${i >> 1}/MatMul_${i}`, op: 'MatMul' as const,
    shape: [128, i % 2 ? 512 : 384] as [number, number], layout: 'in_out' as const, params: 128 * (i % 2 ? 512 : 384), shared: false,
  })),
};

async function steps(jobId: string, phase: string, total: number, ms: number, onProgress: (p: { jobId: string; phase: string; done: number; total: number }) => void) {
  for (let done = 0; done <= total; done++) {
    if (cancelled.has(jobId)) throw err('Cancelled', `job ${jobId} cancelled`);
    onProgress({ jobId, phase, done, total });
    await sleep(ms);
  }
}

const api: LabApi = {
  async capabilities() {
    return { webgpu: !nogpu, webgpuReason: nogpu ? 'navigator.gpu hidden by ?nogpu=1' : undefined, adapter: 'fake', shaderF16: false, crossOriginIsolated: self.crossOriginIsolated, wasmThreads: 2, wasmSimd: true };
  },
  async loadDemo() { await sleep(300); return model; },
  async loadFiles(files) {
    await sleep(200);
    if (!files.some((f) => f.path.endsWith('.onnx'))) throw err('NotOnnx', `no .onnx file among ${files.map((f) => f.path).join(', ')}`);
    return { ...model, id: 'files:x', name: 'dropped', source: 'files' };
  },
  async makeVariant(modelId, spec, device, jobId, onProgress) {
    await steps(jobId, 'compress', 8, 80, onProgress);
    const bits = spec.method === 'int8-channel' ? 8.25 : spec.method === 'int4-group' ? 5 : 32;
    const v: VariantSummary = {
      id: `${jobId}-v`, modelId, label: spec.method === 'magnitude-prune' ? `prune ${(spec.options.ratio ?? 0) * 100}%` : spec.method, spec, device,
      tensors: model.linearWeights.map((w) => ({ name: w.name, params: w.params, sparsity: spec.options.ratio ?? 0, relFrobeniusError: 0.01 + Math.random() * 0.1, sqnrDb: 20 + Math.random() * 20, bitsPerWeight: bits })),
      bitsPerWeight: bits, packedBytes: Math.round(model.onnxBytes * bits / 32), kernelMs: 40,
    };
    return v;
  },
  async evaluate(modelId, variantId, settings, jobId, onProgress) {
    // 'stuck' variant: a long loop that never yields, to exercise the bridge's terminate path
    await steps(jobId, 'perplexity', Math.ceil(settings.tokens / settings.stride), settings.backend === 'webgpu' ? 60 : 25, onProgress);
    const r: EvalResult = {
      modelId, variantId, settings, finishedAt: new Date().toISOString(),
      perplexity: { ppl: 40 + Math.random() * 30, meanNll: 3.9, tokensScored: settings.tokens - 1, windows: Math.ceil(settings.tokens / settings.stride), dataset: model.datasetName, context: settings.context, stride: settings.stride, backend: settings.backend, seconds: 1.2 },
      throughput: { backend: settings.backend, batch: 1, seqLen: settings.context, warmup: 1, runs: settings.throughputRuns, medianMs: 12, p90Ms: 15, tokensPerS: settings.backend === 'webgpu' ? 900 + Math.random() * 200 : 2000 + Math.random() * 300 },
    };
    return r;
  },
  async cancel(jobId) { cancelled.add(jobId); },
};

Comlink.expose(api);
