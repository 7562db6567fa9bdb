/**
 * The one door between the UI and the engine. The UI holds a comlink Remote<LabApi>;
 * the worker (workers/engine.worker.ts) exposes an object of exactly this type.
 * Only plain data crosses: summaries, settings and results. Tensors stay in the worker.
 * Long calls take a jobId (so `cancel(jobId)` can stop them between steps) and a
 * progress callback passed with comlink.proxy.
 */

/** Where an ONNX Runtime session runs. */
export const BACKENDS = Object.freeze(['webgpu', 'wasm'] as const);
export type Backend = (typeof BACKENDS)[number];

/** Where a compression kernel runs: WGSL on WebGPU, or the TS reference on the CPU. */
export const KERNEL_DEVICES = Object.freeze(['webgpu', 'cpu'] as const);
export type KernelDevice = (typeof KERNEL_DEVICES)[number];

export const METHOD_IDS = Object.freeze(['magnitude-prune', 'int8-channel', 'int4-group'] as const);
export type MethodId = (typeof METHOD_IDS)[number];

export interface Capabilities {
  webgpu: boolean;
  /** why WebGPU is unavailable, when it is */
  webgpuReason?: string;
  adapter?: string;
  shaderF16: boolean;
  crossOriginIsolated: boolean;
  /** threads the WASM EP will use */
  wasmThreads: number;
  wasmSimd: boolean;
}

export interface LinearWeight {
  /** initializer name */
  name: string;
  /** node that consumes it as its constant B */
  node: string;
  op: 'MatMul' | 'Gemm';
  /** stored shape of the initializer */
  shape: [number, number];
  /** 'in_out': B is (in, out) as MatMul/GPT-2 keep it; 'out_in': Gemm with transB=1 */
  layout: 'in_out' | 'out_in';
  params: number;
  /** true when the tensor is also read by a non-linear node (e.g. tied embedding Gather) */
  shared: boolean;
}

export interface ModelSummary {
  id: string;
  name: string;
  source: 'demo' | 'files';
  modelType: string;
  /** context length from config.json (n_positions / max_position_embeddings) */
  nPositions: number;
  vocabSize: number;
  totalParams: number;
  linearParams: number;
  linearWeights: LinearWeight[];
  onnxBytes: number;
  inputNames: string[];
  outputNames: string[];
  /** evaluation text tokens available (built-in test text) */
  datasetName: string;
  datasetTokens: number;
}

export type MethodOptions = { ratio?: number; groupSize?: number };

export interface VariantSpec {
  method: MethodId;
  options: MethodOptions;
}

export interface TensorStats {
  name: string;
  params: number;
  sparsity: number;
  relFrobeniusError: number;
  sqnrDb: number;
  bitsPerWeight: number;
}

export interface VariantSummary {
  id: string;
  modelId: string;
  label: string;
  spec: VariantSpec;
  device: KernelDevice;
  tensors: TensorStats[];
  /** over all linear weights, including scales/zero points */
  bitsPerWeight: number;
  /** bytes of the model if stored in the packed form (linear weights packed, rest f32) */
  packedBytes: number;
  kernelMs: number;
}

export interface EvalSettings {
  backend: Backend;
  /** evaluation tokens taken from the start of the dataset */
  tokens: number;
  context: number;
  stride: number;
  /** timed throughput runs after one warm-up */
  throughputRuns: number;
}

export interface PerplexityResult {
  ppl: number;
  meanNll: number;
  tokensScored: number;
  windows: number;
  dataset: string;
  context: number;
  stride: number;
  backend: Backend;
  seconds: number;
}

export interface ThroughputResult {
  backend: Backend;
  batch: number;
  seqLen: number;
  warmup: number;
  runs: number;
  medianMs: number;
  p90Ms: number;
  /** prefill tokens per second from the median run */
  tokensPerS: number;
}

export interface EvalResult {
  modelId: string;
  /** 'baseline' or a VariantSummary id */
  variantId: string;
  settings: EvalSettings;
  perplexity: PerplexityResult;
  throughput: ThroughputResult;
  finishedAt: string;
}

export interface Progress {
  jobId: string;
  phase: string;
  done: number;
  total: number;
  /** seconds left, estimated from the pace so far; undefined until known */
  etaS?: number;
  message?: string;
}

export type ProgressFn = (p: Progress) => void;

/** File as dropped: its path inside the folder and its bytes. */
export interface InputFile {
  path: string;
  data: ArrayBuffer;
}

/** Errors cross comlink as name + message; the name carries a code the UI can switch on. */
export const ERROR_CODES = Object.freeze([
  'NotOnnx', 'NotLanguageModel', 'NoLinearWeights', 'MissingFile', 'Cancelled', 'WebGpuUnavailable', 'BadOption',
] as const);
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface LabApi {
  capabilities(): Promise<Capabilities>;
  /** load a built-in model from public/models/<name>/ */
  loadDemo(name: string): Promise<ModelSummary>;
  /** load an HF/Optimum folder's files (config.json, tokenizer.json, onnx/model.onnx [+ .onnx_data]) */
  loadFiles(files: InputFile[]): Promise<ModelSummary>;
  makeVariant(modelId: string, spec: VariantSpec, device: KernelDevice, jobId: string, onProgress: ProgressFn): Promise<VariantSummary>;
  evaluate(modelId: string, variantId: string, settings: EvalSettings, jobId: string, onProgress: ProgressFn): Promise<EvalResult>;
  /** stop a running job at its next step; its promise rejects with name 'Cancelled' */
  cancel(jobId: string): Promise<void>;
}
