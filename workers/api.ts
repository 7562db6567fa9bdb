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

export const METHOD_IDS = Object.freeze(['magnitude-prune', 'int8-channel', 'int4-group', 'fp16', 'rtn', 'nf4', 'nm-prune', 'global-prune', 'wanda', 'gptq', 'awq', 'structured-prune', 'sparsegpt'] as const);
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
  /** the WebGPU adapter's buffer limits, bytes (what the early size check and the kernels' row chunks go by) */
  gpuLimits?: { maxBufferSize: number; maxStorageBufferBindingSize: number; /** set by a test override (workers/capabilities.ts) */ forced?: boolean };
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

/** One weight that the published model stores in another form than f32 (see workers/model/float-reference.ts). */
export interface PublishedWeight {
  /** the weight's name in the float reference */
  name: string;
  format: 'MatMulNBits' | 'GatherBlockQuantized' | 'DequantizeLinear' | 'fp16' | 'bf16' | 'MatMulInteger' | 'DynamicQuantizeMatMul';
  bits: number;
  /** block size of block-quantized formats */
  blockSize?: number;
  params: number;
}

/**
 * An LM head tied to the token embedding (workers/model/tied-head.ts): 'shared' = one initializer
 * read by the Gather and the head (compressed once, the Gather reads the compressed table);
 * 'copy' / 'transposed-copy' = the file stores the table twice; 'through-transpose' = the head reads
 * Transpose(table), which the float reference folds into a copy. In those three the head is
 * compressed as its own tensor and the Gather keeps the f32 table.
 */
export interface TiedHead {
  head: string;
  embedding: string;
  stored: 'shared' | 'copy' | 'transposed-copy' | 'through-transpose';
}

/** How the model as published stores its weights, when that is not plain f32. */
export interface PublishedForm {
  /** 'f32': the graph computes in f32; 'fp16': it computes in half precision; 'bf16': in bfloat16 (converted to f32 as it loads: no onnxruntime kernel computes bf16) */
  compute: 'f32' | 'fp16' | 'bf16';
  weights: PublishedWeight[];
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
  /** 'prefill' (input_ids → logits) or 'kv-cache' (a decoder with past_key_values, evaluated with an empty past) */
  graphKind: 'prefill' | 'kv-cache';
  /** set for Optimum's merged decoder (use_cache_branch): what runs where (workers/model/merged-decoder.ts) */
  mergedDecoder?: string;
  /** the ONNX file the model was read from, e.g. onnx/model.onnx */
  onnxPath: string;
  /**
   * Set when the published model is itself compressed (quantized or fp16 weights): the baseline
   * evaluates it as published; variants start from its float reference (dequantized in the worker).
   */
  published?: PublishedForm;
  /** the LM head's weight (the MatMul/Gemm producing the logits, workers/model/lm-head.ts): left f32 unless a variant opts in (VariantSpec.head); absent for a classifier */
  lmHead?: string;
  /** set when the LM head is the token embedding (tied), with how the file keeps it */
  tiedHead?: TiedHead;
  /** 'sequence-classification': logits (batch, labels), scored by accuracy on labelled examples */
  task?: 'causal-lm' | 'sequence-classification';
  /** classifiers: the labels, by class index (config.json id2label) */
  labels?: string[];
  /** classifiers: the labelled examples available (the built-in test set) */
  examples?: { name: string; count: number };
  /** evaluation text tokens available (built-in test text) */
  datasetName: string;
  datasetTokens: number;
  /** a lone .onnx without config.json: the config fields read off the graph instead (workers/model/graph-facts.ts) */
  configFromGraph?: string[];
  /** the built-in tokenizer (a demo folder's) picked for a lone .onnx that came without one */
  tokenizerFrom?: string;
  /** what this adapter's WebGPU limits say about the model's largest tensor (workers/model/declared-size.ts checkDeviceLimits) */
  limitNote?: string;
  /** set when the graph computes attention in fused com.microsoft ops: why its heads cannot be pruned (model/fused-attention.ts) */
  fusedAttention?: string;
}

export type MethodOptions = {
  ratio?: number;
  groupSize?: number;
  /** quantizers with a bit-width choice (rtn, GPTQ) */
  bits?: number;
  /** rtn: scale from max|w| with zero point 0 (true) or a per-group zero point (false) */
  symmetric?: boolean;
  /** GPTQ: quantize columns in order of decreasing Hessian diagonal */
  actOrder?: boolean;
  /** structured-prune: what is removed, MLP neurons (default) or attention heads */
  unit?: 'neurons' | 'heads';
  /** nm-prune: an N:M pattern ('2:4', '4:8'); Wanda: that or 'unstructured' */
  pattern?: string;
  /** calibrated methods: calibration sequences (each of the model's context, at most 256 tokens) */
  samples?: number;
  /** calibrated methods: a dropped .txt to calibrate on, as "<file name>#<FNV-1a hex>" (workers/calibration/text-ref.ts); absent: the built-in text */
  calibrationText?: string;
};

export interface VariantSpec {
  method: MethodId;
  options: MethodOptions;
  /**
   * A second method applied to the result of the first, e.g. prune then quantize: the first's mask
   * is kept, so pruned weights stay exactly zero after the second (engine support: issue 9).
   */
  then?: VariantSpec;
  /**
   * Compress only the linear weights of these transformer blocks (0-based, the index in the weight's
   * or its node's name, workers/model/blocks.ts); every other weight stays as it is. Layer
   * sensitivity: one block at a time. Absent: every linear weight.
   */
  blocks?: number[];
  /**
   * Mixed precision: weights compressed by another method than this spec's, e.g. the first and last
   * block INT8 in an INT4 variant (workers/variants/overrides.ts). A weight takes the first override
   * naming it. Absent: every weight by the spec's method.
   */
  overrides?: TensorOverride[];
  /**
   * Also compress the token embedding (the table a Gather reads with the input ids): off by default.
   * A head tied to the table is then compressed with it, once, and the Gather reads it
   * (workers/variants/embeddings.ts).
   */
  embeddings?: boolean;
  /**
   * Also compress the LM head (ModelSummary.lmHead): off by default, as llama.cpp and AutoGPTQ keep
   * the output layer unquantized; calibrated methods skip it too. A head tied to the embedding is
   * compressed when either this or `embeddings` is set; an override naming the head by its tensor
   * name compresses it by that override's method (workers/variants/which-tensors.ts).
   */
  head?: boolean;
}

/** Some linear weights of a variant, by block (0-based; negative from the end, -1 = the last) or by name, and their method. */
export interface TensorOverride {
  blocks?: number[];
  tensors?: string[];
  method: MethodId;
  options: MethodOptions;
}

export interface TensorStats {
  name: string;
  params: number;
  sparsity: number;
  relFrobeniusError: number;
  sqnrDb: number;
  /** max |W - Ŵ| over the tensor (absent on results stored before it existed) */
  maxAbsError?: number;
  /** calibrated methods: the layer's loss on the calibration inputs, ½ tr(ΔW H ΔWᵀ) (GPTQ sums it as Σ (w − q)² / U_ii² / 2 with Uᵀ U = H⁻¹); Wanda's is the diagonal estimate ½ Σ ΔW_ij² ‖X_j‖² */
  calibrationLoss?: number;
  bitsPerWeight: number;
  /** fp16: weights beyond ±65504 that were clamped (absent for other methods) */
  clamped?: number;
  /** WebGPU: the chunks a weight over one storage binding ran in (absent when it ran whole) */
  chunks?: number;
  /** where the kernel's time went, ms, for a method that says (GPTQ: `factor` = U = chol(H⁻¹) in TS, `loop` = the column loop) */
  phaseMs?: Record<string, number>;
}

/**
 * How a variant's weights are stored in the ONNX model that is evaluated, timed and exported.
 * 'packed' = the real compressed storage (MatMulNBits, int8 + DequantizeLinear, fp16 + Cast);
 * 'dense' = f32 as before (pruning: the zeros are stored, they save gzip bytes, not compute).
 * 'simulated' = a format no onnxruntime-web op runs (e.g. 3-bit codes): its dequantized weights are
 * stored f32, and `format` says why.
 */
export type VariantStorage = 'packed' | 'dense' | 'simulated';

export interface VariantSummary {
  id: string;
  modelId: string;
  label: string;
  spec: VariantSpec;
  device: KernelDevice;
  tensors: TensorStats[];
  /** over all linear weights, including scales/zero points */
  bitsPerWeight: number;
  storage: VariantStorage;
  /** the stored form of the linear weights, e.g. "MatMulNBits 4-bit, block 32" */
  format: string;
  /** bytes of the packed ONNX model, as written */
  packedBytes: number;
  /** those bytes gzip-compressed (what a download costs) */
  gzipBytes: number;
  /**
   * bytes of the source model with every weight f32: its bytes as loaded when it was published in
   * f32, else its float reference (the published packed / half weights dequantized, which the
   * variants are made from) serialized (variants/f32-size.ts)
   */
  f32Bytes: number;
  kernelMs: number;
  /** wall time of the whole variant: kernels, packing and writing the model */
  makeMs: number;
  /**
   * the yardstick for makeMs (issue 6: make ≤ 5× "the time to copy the model's bytes once"), timed in the
   * same make: every byte of the model as the lab holds it (a dropped file's bytes read from the File,
   * bytes held in memory copied) into a new buffer, once (variants/copy-yardstick.ts); only when the
   * worker's URL asks (?copyYardstick=1, the bench): it costs a read of the whole model
   */
  copyMs?: number;
  /** how many bytes copyMs copied */
  copyBytes?: number;
  /** beside copyMs, in the same make: the same bytes copied in memory (nothing read from a file) into new buffers */
  memcpyMs?: number;
  /** a stricter yardstick: the compressed weights' f32 values (only those) copied in memory, into one scratch buffer reused weight after weight (already faulted in) */
  copyWeightsWarmMs?: number;
  /** time to read the weights' values before that copy (a dropped file's weights are read from it; 0 when they sit in memory), included in makeMs */
  readMs?: number;
  /** more of makeMs, by step: the kernels' checks and the tensor stats (compressTensor minus kernelMs), packing into the stored form (each weight's while the next weight's kernels run, so on WebGPU mostly hidden), giving back the kernels' GPU buffers, writing the model */
  makePartsMs?: Record<string, number>;
  /** linear weights the variant left f32 and why (the LM head unless opted in); counted at 32 bits in bitsPerWeight, absent from tensors */
  leftFloat?: { name: string; params: number; why: string }[];
  /** structured pruning: the parameters of the rewritten model (every initializer); absent when it keeps the base's count */
  totalParams?: number;
  /** calibrated methods: the token slice the layer inputs were measured on, and the time it took (included in makeMs);
   *  passes over the slice, and where the time went: capture model runs, statistics, opening the capture sessions (ms) */
  calibration?: { dataset: string; sequences: number; context: number; firstToken: number; ms: number; passes?: number; captureMs?: number; accumulateMs?: number; openMs?: number };
}

/**
 * Which model of a variant is run: the packed model (default), or its dequantized f32 twin,
 * which exists only as a check (packed perplexity must equal it) and is labelled "simulated".
 */
export const EVAL_FORMS = Object.freeze(['packed', 'simulated'] as const);
export type EvalForm = (typeof EVAL_FORMS)[number];

export interface EvalSettings {
  backend: Backend;
  /** default 'packed'; ignored for the baseline */
  form?: EvalForm;
  /** evaluation tokens taken from the start of the dataset */
  tokens: number;
  context: number;
  stride: number;
  /** timed throughput runs after one warm-up */
  throughputRuns: number;
  /**
   * variants only: score the variant against the base model in one graph (KL, top-1 agreement,
   * Δp); default true for models up to 256 MiB (the pair graph holds both; EvalResult.klSkipped
   * says when it was left out). It runs the base too, so a variant's evaluation costs two forward passes.
   */
  compareToBase?: boolean;
  /** a UTF-8 text to evaluate on instead of the built-in one (a dropped .txt); not kept in stored results */
  text?: { name: string; data: Uint8Array };
}

export interface PerplexityResult {
  ppl: number;
  /** mean −log p of the scored tokens, nats */
  meanNll: number;
  tokensScored: number;
  windows: number;
  dataset: string;
  context: number;
  stride: number;
  backend: Backend;
  seconds: number;
  /** 95 % bootstrap interval of ppl over windows (seeded; [ppl, ppl] for one window). Absent on results stored before it existed. */
  ci95?: [number, number];
  /** UTF-8 bytes of the scored tokens, and Σ NLL / ln 2 / those bytes: compares models with different tokenizers */
  bytesScored?: number;
  bitsPerByte?: number;
  /** how the text starts and how windows begin, in words (BOS or not) */
  bos?: string;
  readback?: Readback;
}

/** What perplexity statistics the engine computes from per-token scores (workers/eval/stats.ts). */
export type PerplexityStats = Pick<PerplexityResult, 'ppl' | 'meanNll' | 'tokensScored' | 'windows'> &
  Required<Pick<PerplexityResult, 'ci95' | 'bytesScored' | 'bitsPerByte'>>;

/** Bytes ONNX Runtime handed back to JS during the scoring (the reduction runs inside the graph). */
export interface Readback {
  bytes: number;
  /** bytes / tokens scored */
  perToken: number;
  /** the backend-agreement check's logits rows (first window only), counted apart */
  checkBytes: number;
}

/** The variant against the base model, token by token on the same windows (llama.cpp's --kl-divergence report). */
export interface KlStats {
  tokens: number;
  /** KL(base ‖ variant) per token, nats */
  mean: number;
  median: number;
  p99: number;
  max: number;
  /** share of tokens where both models' most likely next token is the same */
  top1: number;
  /** p_variant(correct) − p_base(correct): mean and percentiles */
  deltaP: { mean: number; p1: number; p5: number; p50: number; p95: number; p99: number };
  /** the base's perplexity on the same tokens, and variant / base */
  basePpl: number;
  pplRatio: number;
}

/** The same model on WebGPU and on WASM, same window(s). */
export interface BackendAgreement {
  /** the other backend of the pair (the worker names the one evaluated before; the page stores the pair's figures on both results, src/store/agreement.ts) */
  other: Backend;
  /** tokens whose top-1 was compared (every scored token) */
  tokens: number;
  top1: number;
  /** stream position of the first token whose top-1 differs; null when none does */
  firstDisagreement: number | null;
  /** rows of full logits compared (the first window's first rows) */
  headTokens: number;
  maxAbsLogitDiff: number;
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

export interface SpeedSettings {
  backend: Backend;
  /** tokens per prefill run (batch 1), taken from the start of the dataset */
  seqLen: number;
  /** timed runs per model, interleaved across the models */
  runs: number;
  /** untimed runs per model before timing (default 1) */
  warmup?: number;
}

/** One model's prefill speed from an interleaved comparison (workers/eval/speed.ts). */
export interface SpeedResult {
  modelId: string;
  /** 'baseline' or a variant id */
  variantId: string;
  backend: Backend;
  /** the model that ran: the packed variant (or the source model for the baseline) */
  form: EvalForm;
  /** why the model did not run as published (an fp16 baseline on WebGPU without shader-f16 runs its f32 reference) */
  formReason?: string;
  seqLen: number;
  warmup: number;
  runsMs: number[];
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  /** seqLen / median */
  tokensPerS: number;
  /** the other models timed in the same interleaved rounds */
  interleavedWith: string[];
  /** WASM threads, or the WebGPU adapter's name */
  wasmThreads: number;
  adapter?: string;
  finishedAt: string;
}

export interface EvalResult {
  modelId: string;
  /** 'baseline' or a VariantSummary id */
  variantId: string;
  /**
   * what ran: the packed model, or f32 weights ('simulated'): the twin, asked for or because the EP could not run the packed
   * model, or a variant stored simulated (3-bit: no onnxruntime-web op runs it; eval/stored-form.ts)
   */
  form: EvalForm;
  /** why a packed model was not run, when it was not */
  formReason?: string;
  settings: EvalSettings;
  perplexity: PerplexityResult;
  throughput: ThroughputResult;
  /** why a variant was not scored against its base (a model too large to hold twice), when it was not */
  klSkipped?: string;
  /** variants scored against the base (settings.compareToBase) */
  kl?: KlStats;
  /** when the same model and settings were evaluated on the other backend first */
  agreement?: BackendAgreement;
  /** where the throughput was timed: WASM threads, and the WebGPU adapter (absent on results stored before they were recorded) */
  wasmThreads?: number;
  adapter?: string;
  finishedAt: string;
}

export interface ClassifySettings {
  backend: Backend;
  /** the first N labelled examples (all when absent) */
  examples?: number;
  /**
   * the user's labelled examples (a dropped .jsonl: one {"text", "label"} per line, label a name of
   * the model's id2label or a class index) in place of the built-in ones; not kept in stored results
   */
  examplesFile?: { name: string; data: Uint8Array };
  /** the model's max positions when absent */
  maxLength?: number;
}

/** A classifier's report on labelled examples, one backend, batch 1. */
export interface ClassificationResult {
  modelId: string;
  variantId: string;
  form: EvalForm;
  formReason?: string;
  settings: ClassifySettings;
  dataset: string;
  examples: number;
  labels: string[];
  accuracy: number;
  macroPrecision: number;
  macroRecall: number;
  macroF1: number;
  perClass: { label: string; precision: number; recall: number; f1: number; support: number }[];
  /** confusion[true][predicted] */
  confusion: number[][];
  /** per example, median and p90 over all examples (the first one, with shader compile / warm-up, left out) */
  latencyMs: { median: number; p90: number; firstMs: number };
  samplesPerS: number;
  finishedAt: string;
}

export interface PrefillSpeedSettings {
  backend: Backend;
  /** rows run at once, each `seqLen` tokens of the evaluation text */
  batch: number;
  seqLen: number;
  runs: number;
  /** untimed runs first (default 1) */
  warmup?: number;
}

/** Prefill speed of one model at one batch size: runs timed one after another, median and spread. */
export interface PrefillSpeedResult {
  modelId: string;
  variantId: string;
  settings: PrefillSpeedSettings;
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  /** batch · seqLen / median seconds */
  tokensPerS: number;
  /** the first run (session warm-up, WebGPU shader compilation), untimed in the median */
  firstMs: number;
  /** how long creating the ORT session took, and whether this call reused one already open (then it was created earlier) */
  sessionCreateMs?: number;
  sessionReused?: boolean;
  /** 'simulated' with the reason when the model did not run as published (an fp16 baseline on WebGPU without shader-f16); absent: as published */
  form?: EvalForm;
  formReason?: string;
  wasmThreads: number;
  adapter?: string;
  finishedAt: string;
}

export interface DecodeSpeedSettings {
  backend: Backend;
  /** prompt: this many tokens from the start of the evaluation text */
  promptTokens: number;
  /** tokens written per run (greedy); the first comes from the prompt's run, the others are single-token steps */
  newTokens: number;
  runs: number;
  /** untimed runs first (default 1) */
  warmup?: number;
  /**
   * time the built-in model's KV-cache decoder (onnx/decoder_model_merged.onnx, same weights; a
   * variant is its spec made again on it) instead of the loaded prefill graph
   */
  kvDecoder?: boolean;
}

/** Decode speed of one model: whole generation runs, timed one after another; median and p90 over runs. */
export interface DecodeSpeedResult {
  modelId: string;
  variantId: string;
  settings: DecodeSpeedSettings;
  /** on the KV cache, or (a graph without past inputs) the whole context again per token */
  decode: GenerationResult['decode'];
  /** the ONNX graph timed, e.g. onnx/decoder_model_merged.onnx (absent on figures stored before it existed) */
  graph?: string;
  /** per timed run: single-token steps / their summed seconds (the prompt's run apart) */
  runsTokS: number[];
  /** per timed run: mean ms of a single-token step; median and p90 over the runs */
  medianMs: number;
  p90Ms: number;
  /** 1000 / medianMs */
  tokensPerS: number;
  /** the prompt's run (prefill of promptTokens), median over the timed runs */
  promptMs: number;
  /** the whole first run (session warm-up, WebGPU shader compilation), untimed */
  firstMs: number;
  sessionCreateMs: number;
  sessionReused: boolean;
  /** 'simulated' with the reason when the model did not run as published (an fp16 baseline on WebGPU without shader-f16); absent: as published */
  form?: EvalForm;
  formReason?: string;
  wasmThreads: number;
  adapter?: string;
  finishedAt: string;
}

export interface GenerateSettings {
  backend: Backend;
  /** the text to continue; encoded as the evaluation text is (the tokenizer's default special tokens) */
  prompt: string;
  maxNewTokens: number;
  /** 0 or absent: greedy (the most likely token each step); else sampling at this temperature */
  temperature?: number;
  /** the sampler's seed (sampling only): the same seed gives the same text */
  seed?: number;
}

/** A continuation of a prompt by one model on one backend, batch 1. */
export interface GenerationResult {
  modelId: string;
  variantId: string;
  form: EvalForm;
  /** why the model did not run as published (an fp16 baseline on WebGPU without shader-f16 runs its f32 reference) */
  formReason?: string;
  settings: GenerateSettings;
  promptTokens: number;
  /** the new token ids, in order */
  tokens: number[];
  /** the new tokens decoded */
  text: string;
  /**
   * how each token was computed: a KV-cache decoder runs the prompt once and then one token per
   * step on its cache; any other graph runs the whole (last n_positions) context again per token
   */
  decode: 'prefill per token (no KV cache)' | 'KV cache, one token per step';
  /** per new token, the first (warm-up / shader compile) apart */
  msPerToken: { median: number; p90: number; firstMs: number };
  tokensPerS: number;
  /** where it was timed: WASM threads, and the WebGPU adapter (absent on results stored before they were recorded) */
  wasmThreads?: number;
  adapter?: string;
  finishedAt: string;
}

export interface ErrorPropagationSettings {
  backend: Backend;
  /** consecutive windows of the evaluation text from its start (default 2) */
  windows?: number;
  /** tokens per window (default: the model's context) */
  context?: number;
}

/** The residual stream at one block boundary: the variant's hidden state against the base's. */
export interface BlockDivergence {
  /** 0: the input of block 0 (the embeddings); i + 1: the output of block i */
  position: number;
  label: string;
  /** the graph tensor read (the same name in base and variant) */
  tensor: string;
  /** ‖h_variant − h_base‖₂ / ‖h_base‖₂ of each token's hidden vector: mean and max over all tokens of the windows */
  mean: number;
  max: number;
}

/** How a variant's hidden states drift from the base's, block after block (workers/eval/error-propagation.ts). */
export interface ErrorPropagationResult {
  modelId: string;
  variantId: string;
  form: EvalForm;
  settings: Required<ErrorPropagationSettings>;
  dataset: string;
  /** tokens compared at each boundary (windows × context) */
  tokens: number;
  /** how the block outputs were found in the graph */
  rule: string;
  points: BlockDivergence[];
  /** this variant's runs (the base's are shared by the call) */
  seconds: number;
  finishedAt: string;
}

/** What the model card of an export reports; measured by the caller, never made up. */
export interface ExportMeasurements {
  /** the lab's results for this variant (any backends) */
  results: EvalResult[];
}

/** The graph an export holds as onnx/model.onnx (workers/variants/export-graph.ts). */
export interface ExportGraphInfo {
  /** 'kv-cache': past_key_values.* in, present.* out */
  kind: 'prefill' | 'kv-cache';
  /** the source model's file it was made from */
  source: string;
  /** made again on the model's KV-cache decoder (same spec and kernels, same compressed weights checked), not the evaluated graph */
  remade: boolean;
  /** transformers.js' generate() / pipeline('text-generation') runs it */
  generates: boolean;
  /** why a language model's export does not generate (undefined for a classifier) */
  why?: string;
}

export interface ExportedVariant {
  fileName: string;
  zip: Uint8Array;
  /** the files in the zip and their sizes */
  files: { path: string; bytes: number }[];
  graph: ExportGraphInfo;
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
  /** an external data file may be a handle (File): the worker reads it tensor by tensor */
  data: ArrayBuffer | Blob;
}

export interface LoadOptions {
  /** files without tokenizer.json: a built-in tokenizer by demo folder (workers/model/builtin-tokenizer.ts) */
  tokenizer?: string;
}

/** Errors cross comlink as name + message; the name carries a code the UI can switch on. */
export const ERROR_CODES = Object.freeze([
  'NotOnnx', 'NotLanguageModel', 'NoLinearWeights', 'MissingFile', 'Cancelled', 'WebGpuUnavailable', 'BadOption', 'WorkerCrashed', 'GpuDeviceLost',
  'UnsupportedOperators', 'GpuKernelFailed',
] as const);
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface LabApi {
  capabilities(): Promise<Capabilities>;
  /** load a built-in model from public/models/<name>/ */
  loadDemo(name: string): Promise<ModelSummary>;
  /** load an HF/Optimum folder's files (config.json, tokenizer.json, onnx/model.onnx [+ .onnx_data]) */
  loadFiles(files: InputFile[], options?: LoadOptions): Promise<ModelSummary>;
  makeVariant(modelId: string, spec: VariantSpec, device: KernelDevice, jobId: string, onProgress: ProgressFn): Promise<VariantSummary>;
  evaluate(modelId: string, variantId: string, settings: EvalSettings, jobId: string, onProgress: ProgressFn): Promise<EvalResult>;
  /** decode tokens/s: a prompt from the evaluation text, then newTokens one at a time (on the KV cache when the graph has one) */
  decodeSpeed(modelId: string, variantId: string, settings: DecodeSpeedSettings, jobId: string, onProgress: ProgressFn): Promise<DecodeSpeedResult>;
  /** prefill tokens/s at one batch size (batch scaling: call it for 1, 4, 8, 16) */
  prefillSpeed(modelId: string, variantId: string, settings: PrefillSpeedSettings, jobId: string, onProgress: ProgressFn): Promise<PrefillSpeedResult>;
  /** a continuation of settings.prompt, greedy or seeded sampling, with its speed */
  generate(modelId: string, variantId: string, settings: GenerateSettings, jobId: string, onProgress: ProgressFn): Promise<GenerationResult>;
  /** a sequence classifier (ModelSummary.task) on its labelled examples: accuracy, F1, confusion, latency */
  classify(modelId: string, variantId: string, settings: ClassifySettings, jobId: string, onProgress: ProgressFn): Promise<ClassificationResult>;
  /** prefill speed of the baseline and/or variants, timed interleaved (A B C A B C …) after a warm-up each */
  compareSpeed(modelId: string, variantIds: string[], settings: SpeedSettings, jobId: string, onProgress: ProgressFn): Promise<SpeedResult[]>;
  /** the variant as a model folder (config, tokenizer, onnx/model.onnx, MODEL_CARD.md) in a zip */
  exportVariant(modelId: string, variantId: string, measured: ExportMeasurements, jobId: string, onProgress: ProgressFn): Promise<ExportedVariant>;
  /** relative hidden-state divergence after each block, base vs each variant, on the same windows (the base runs once) */
  errorPropagation(modelId: string, variantIds: string[], settings: ErrorPropagationSettings, jobId: string, onProgress: ProgressFn): Promise<ErrorPropagationResult[]>;
  /** a dropped .txt that calibrated variants name in options.calibrationText (ref = calibration/text-ref.ts of name and bytes); sent before each make that names it */
  putCalibrationText(ref: string, name: string, data: Uint8Array): Promise<void>;
  /** stop a running job at its next step; its promise rejects with name 'Cancelled' */
  cancel(jobId: string): Promise<void>;
}
