/**
 * Loading a model: gather an HF/Optimum folder's files (from the site's public/models/<name>/
 * for the demo, or from files the user dropped), then parse, validate and index it into a
 * LoadedModel that the rest of the engine works on. The evaluation text is tokenized here,
 * once per model.
 *
 * Folder layout read: config.json, tokenizer.json, tokenizer_config.json (optional),
 * onnx/model.onnx (or onnx/decoder_model.onnx, or the only .onnx) [+ its external data files].
 */
import type { LinearWeight, ModelSummary } from '../api';
import { publicUrl } from '../assets';
import { isLabError, labError } from '../errors';
import { decodeModel, externalLocations, findLinearWeights, indexModel, writeBaseline, type ModelProto, type ParsedModel } from './onnx-graph';
import { CLASSIFIER_EXAMPLES, encodeExamples, inputLength, isClassifier, labelsOf, type LabelledExample } from './classifier';
import { floatReference, withFloatLogits } from './float-reference';
import { preferredGraph } from './graph-choice';
import { checkOperators } from './operators';
import { checkTextGraph, checkTextModel } from './text-model';
import { checkTensorData } from './tensor-data';
import { lmHeadOf } from './lm-head';
import { tiedHead } from './tied-head';
import { graphKindOf, PREFILL_INPUTS, unfeedableInputs } from './graph-kind';
import { inlineCacheBranch } from './merged-decoder';
import { checkDeclaredSize, checkDeviceLimits, type DeviceLimits } from './declared-size';
import { externalDataParts, inlineExternalTensors, syncReader } from './external-files';
import { skimOnnx } from './skim-onnx';
import { SKIM_MIN_FILE_BYTES } from './skim-size';
import { withExternalData } from '../eval/external-data';
import { encodeDataset, makeTokenizer, type TextTokenizer } from './tokenizer';
import { configFromGraph, graphFacts } from './graph-facts';
import { fusedAttentionNote } from './fused-attention';
import { checkBuiltinFits, checkBuiltinName } from './builtin-tokenizer';

export const DATASET = Object.freeze({ name: 'brown-test', path: 'datasets/brown-test.txt' });

export interface ModelSource {
  name: string;
  source: 'demo' | 'files';
  onnxPath: string;
  onnxBytes: Uint8Array;
  config: Record<string, unknown>;
  tokenizerJson: unknown;
  tokenizerConfig: unknown;
  /** a built-in tokenizer's demo folder, when the files came without tokenizer.json and the user picked one */
  tokenizerFrom?: string;
  /** external data by location relative to the .onnx folder; filled by the gatherer */
  external: Map<string, Uint8Array>;
  /** external data given as handles (dropped Files), read tensor by tensor by readExternal */
  externalBlobs?: Map<string, Blob>;
  /** what this device's WebGPU cannot hold of the model (checkDeviceLimits), for the card */
  limitNote?: string;
  /** true once readExternal put the external tensors inside the graph */
  inlinedExternal?: boolean;
  /** the .onnx came as a handle and was skimmed (skim-onnx.ts): its size, which its weights' data file (itself) already counts */
  skimmedOnnxBytes?: number;
  proto: ModelProto;
}

export interface LoadedModel {
  summary: ModelSummary;
  parsed: ParsedModel;
  linear: LinearWeight[];
  /**
   * the unmodified model as ORT loads it: external data inlined, or, for data files given as handles,
   * the .onnx as given with the files attached for ORT's externalData option (eval/external-data.ts)
   */
  baselineBytes: Uint8Array;
  /** the model's bytes, .onnx and external data: what baselineBytes.length is when nothing is left outside */
  baselineSize: number;
  tokenizer: TextTokenizer;
  /** the evaluation text as one token stream */
  datasetIds: Int32Array;
  /** a sequence classifier's labelled examples, encoded */
  examples?: LabelledExample[];
  /** the folder's JSON files as given, for exports */
  folder: { config: Record<string, unknown>; tokenizerJson: unknown; tokenizerConfig: unknown };
}


/**
 * fetch that treats an HTML answer as missing: dev servers and static hosts with an SPA
 * fallback answer 200 with index.html for files that do not exist.
 */
async function fetchFile(url: string): Promise<Response | undefined> {
  const r = await fetch(url);
  if (!r.ok || (r.headers.get('content-type') ?? '').includes('text/html')) return undefined;
  return r;
}

async function fetchBytes(url: string, what: string): Promise<Uint8Array> {
  const r = await fetchFile(url);
  if (!r) throw labError('MissingFile', `expected ${what} at ${url}, got nothing there`);
  return new Uint8Array(await r.arrayBuffer());
}

async function fetchJson(url: string, what: string, optional = false): Promise<unknown> {
  const r = await fetchFile(url);
  if (!r) {
    if (optional) return {};
    throw labError('MissingFile', `expected ${what} at ${url}, got nothing there`);
  }
  try {
    return await r.json();
  } catch (e) {
    throw labError('MissingFile', `${what} at ${url} is not valid JSON (${(e as Error).message})`);
  }
}

/** The built-in labelled examples a classifier is scored on. */
export async function fetchExamples(): Promise<string> {
  const url = publicUrl(CLASSIFIER_EXAMPLES.path);
  const r = await fetchFile(url);
  if (!r) throw labError('MissingFile', `expected the labelled examples at ${url}, got nothing there`);
  return r.text();
}

export async function fetchDataset(): Promise<string> {
  const url = publicUrl(DATASET.path);
  const r = await fetchFile(url);
  if (!r) throw labError('MissingFile', `expected the evaluation text at ${url}, got nothing there`);
  return r.text();
}

/** The demo folder public/models/<name>/; `onnxPath` picks another of its graphs (its KV-cache decoder: workers/eval/kv-companion.ts). */
export async function gatherDemo(name: string, onnxPath = 'onnx/model.onnx'): Promise<ModelSource> {
  if (!/^[\w.-]+$/.test(name)) throw labError('BadOption', `demo model name must be a folder name like "brown-gpt2", got "${name}"`);
  const dir = publicUrl(`models/${name}/`);
  const [config, tokenizerJson, tokenizerConfig, onnxBytes] = await Promise.all([
    fetchJson(dir + 'config.json', 'config.json'),
    fetchJson(dir + 'tokenizer.json', 'tokenizer.json'),
    fetchJson(dir + 'tokenizer_config.json', 'tokenizer_config.json', true),
    fetchBytes(dir + onnxPath, onnxPath),
  ]);
  const proto = decodeModel(onnxBytes);
  const external = new Map<string, Uint8Array>();
  for (const loc of externalLocations(proto)) external.set(loc, await fetchBytes(dir + onnxPath.slice(0, onnxPath.lastIndexOf('/') + 1) + loc, `external data ${loc}`));
  return { name, source: 'demo', onnxPath, onnxBytes, config: config as Record<string, unknown>, tokenizerJson, tokenizerConfig, external, proto };
}

export interface DroppedFile {
  path: string;
  /** a data file may come as a handle (a File): it is then read per tensor (external-files.ts) */
  data: ArrayBuffer | Blob;
}

const norm = (p: string) => p.replace(/\\/g, '/').replace(/^\.?\//, '');
const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const dirOf = (p: string) => p.slice(0, p.lastIndexOf('/') + 1);

/** Picks the files of one HF/Optimum folder out of a drop. */
export function gatherFiles(files: DroppedFile[]): ModelSource {
  const all = files.map((f) => ({ path: norm(f.path), data: f.data }));
  const bytesOf = (f: { path: string; data: ArrayBuffer | Blob }): ArrayBuffer => {
    if (f.data instanceof ArrayBuffer) return f.data;
    throw labError('MissingFile', `${f.path} came as a file handle; only external data files are read that way`);
  };
  const listing = all.map((f) => f.path).join(', ') || 'no files';
  const onnxFiles = all.filter((f) => f.path.endsWith('.onnx'));
  const chosen = preferredGraph(onnxFiles.map((f) => f.path));
  const pick = onnxFiles.find((f) => f.path === chosen);
  if (!pick) throw labError('MissingFile', `expected an .onnx file (onnx/model.onnx), got: ${listing}`);
  const onnxBytes = new Uint8Array(bytesOf(pick));
  const proto = decodeModel(onnxBytes);
  checkTextGraph(proto, pick.path);
  // config and tokenizer: the shallowest file of that name
  const byName = (name: string) => all.filter((f) => base(f.path) === name).sort((a, b) => a.path.split('/').length - b.path.split('/').length)[0];
  const json = (name: string, optional = false): unknown => {
    const f = byName(name);
    if (!f) {
      if (optional) return {};
      throw labError('MissingFile', `expected ${name} beside the model, got: ${listing}`);
    }
    try {
      return JSON.parse(new TextDecoder().decode(bytesOf(f)));
    } catch (e) {
      throw labError('MissingFile', `${f.path} is not valid JSON (${(e as Error).message})`);
    }
  };
  // a lone .onnx: what the lab needs from config.json is read off the graph (graph-facts.ts)
  const config = (byName('config.json') ? json('config.json') : configFromGraph(proto)) as Record<string, unknown>;
  // no tokenizer.json: withTokenizer takes a built-in one the user picked, or says what to give
  const tokenizerJson = byName('tokenizer.json') ? json('tokenizer.json') : undefined;
  const tokenizerConfig = json('tokenizer_config.json', true);
  const external = new Map<string, Uint8Array>();
  const externalBlobs = new Map<string, Blob>();
  for (const loc of externalLocations(proto)) {
    const want = norm(dirOf(pick.path) + loc);
    const f = all.find((x) => x.path === want) ?? all.find((x) => base(x.path) === base(loc));
    if (f?.data instanceof ArrayBuffer) external.set(loc, new Uint8Array(f.data));
    else if (f) externalBlobs.set(loc, f.data);
  }
  const top = pick.path.includes('/') ? pick.path.split('/')[0] : '';
  const stem = base(pick.path).replace(/\.onnx$/, '');
  const name = top && top !== 'onnx' ? top : String(config._name_or_path ?? (config._from_graph ? stem : undefined) ?? config.model_type ?? 'model');
  return { name, source: 'files', onnxPath: pick.path, onnxBytes, config, tokenizerJson, tokenizerConfig, external, externalBlobs, proto };
}

/**
 * gatherFiles for files that may include the .onnx as a handle (a big dropped File): the chosen
 * graph is skimmed (skim-onnx.ts), so its large tensors stay in the file as its own external data
 * and are never all held; a handle under SKIM_MIN_FILE_BYTES is read whole.
 */
export async function gatherDropped(files: DroppedFile[]): Promise<ModelSource> {
  const all = files.map((f) => ({ path: norm(f.path), data: f.data }));
  const chosen = preferredGraph(all.map((f) => f.path).filter((p) => p.endsWith('.onnx')));
  const pick = all.find((f) => f.path === chosen);
  if (!pick || pick.data instanceof ArrayBuffer) return gatherFiles(all);
  const handle = pick.data;
  if (handle.size < SKIM_MIN_FILE_BYTES) {
    const bytes = await handle.arrayBuffer();
    return gatherFiles(all.map((f) => (f === pick ? { path: f.path, data: bytes } : f)));
  }
  const location = `${base(pick.path)}.inline_data`;
  const skim = await skimOnnx(handle, location);
  const small = skim.bytes.buffer.slice(skim.bytes.byteOffset, skim.bytes.byteOffset + skim.bytes.length) as ArrayBuffer;
  const src = gatherFiles([...all.map((f) => (f === pick ? { path: f.path, data: small } : f)), { path: dirOf(pick.path) + location, data: handle }]);
  return { ...src, skimmedOnnxBytes: handle.size };
}

/**
 * External data given as handles, read tensor by tensor once the sizes the .onnx declares pass the
 * tab's limits (declared-size.ts): a model too large is refused before a byte of its weights is read.
 */
export async function readExternal(src: ModelSource, limits: DeviceLimits): Promise<ModelSource> {
  const note = checkDeviceLimits(src.proto, src.onnxPath, limits);
  if (!src.externalBlobs?.size) return { ...src, limitNote: note };
  checkDeclaredSize(src.proto, src.onnxPath);
  // in a worker the large tensors stay in their files, read whenever they are used (external-files.ts)
  await inlineExternalTensors(src.proto, src.externalBlobs, syncReader());
  return { ...src, inlinedExternal: true, limitNote: note };
}

/**
 * A source without tokenizer.json gets the built-in tokenizer `builtin` (a demo folder's), checked
 * against the graph's vocabulary; without one it is refused, saying the graph's vocabulary and
 * what to give (the page offers the built-ins on this error).
 */
export async function withTokenizer(src: ModelSource, builtin?: string): Promise<ModelSource> {
  if (src.tokenizerJson !== undefined) return src;
  const facts = graphFacts(src.proto);
  if (!builtin) {
    const vocab = facts.vocabSize ? ` (its graph has a vocabulary of ${facts.vocabSize.toLocaleString('en')}, from ${facts.vocabFrom})` : '';
    throw labError('MissingFile', `${src.onnxPath}: expected tokenizer.json beside the model, it came without one${vocab}; pick a built-in tokenizer of that size, or give the model's tokenizer.json (and tokenizer_config.json)`);
  }
  checkBuiltinName(builtin);
  const dir = publicUrl(`models/${builtin}/`);
  const [tokenizerJson, tokenizerConfig] = await Promise.all([
    fetchJson(dir + 'tokenizer.json', `the built-in tokenizer ${builtin}`),
    fetchJson(dir + 'tokenizer_config.json', 'tokenizer_config.json', true),
  ]);
  checkBuiltinFits(builtin, tokenizerJson, facts, src.onnxPath);
  return { ...src, tokenizerJson, tokenizerConfig, tokenizerFrom: builtin };
}

/**
 * Parses, validates, indexes and tokenizes. `datasetText` is the evaluation text; `examplesText`
 * the labelled JSONL a sequence classifier is scored on (see classifier.ts).
 */
export function buildModel(src: ModelSource, datasetText: string, examplesText?: string): LoadedModel {
  const merged = inlineCacheBranch(src.proto, src.onnxPath);
  checkOperators(src.proto, src.onnxPath);
  // readExternal checked the .onnx as given, before it put the data files' tensors inside the graph
  if (!src.inlinedExternal) checkDeclaredSize(src.proto, src.onnxPath);
  const asPublished = indexModel(src.proto, (loc) => src.external.get(loc));
  checkTensorData(asPublished, src.onnxPath);
  // readExternal inlined them already; the baseline must still be written with them inside
  if (src.inlinedExternal) asPublished.hadExternalData = true;
  // variants start from the float reference; the baseline is the model as published
  const reference = floatReference(asPublished);
  const parsed = reference?.parsed ?? asPublished;
  checkTextModel(parsed.inputNames, parsed.outputNames, src.onnxPath);
  const unknown = unfeedableInputs(parsed.inputNames);
  if (unknown.length) {
    throw labError(
      'NotLanguageModel',
      `expected inputs among ${PREFILL_INPUTS.join(', ')}, past_key_values.N.key/value and use_cache_branch (a prefill graph or a KV-cache decoder), got also [${unknown.join(', ')}] in ${src.onnxPath}`,
    );
  }
  const linear = findLinearWeights(parsed);
  if (!linear.length) {
    throw labError('NoLinearWeights', `expected MatMul / Gemm / MatMulNBits nodes with a constant weight (also through Transpose, Cast or DequantizeLinear), found none in ${src.onnxPath}`);
  }
  const cfg = src.config;
  const num = (...keys: string[]) => keys.map((k) => Number(cfg[k])).find((v) => Number.isFinite(v) && v > 0);
  let tokenizer: TextTokenizer;
  let datasetIds: Int32Array;
  try {
    tokenizer = makeTokenizer(src.tokenizerJson, src.tokenizerConfig);
    datasetIds = encodeDataset(tokenizer, datasetText);
  } catch (e) {
    if (isLabError(e)) throw e;
    throw labError('MissingFile', `expected a usable tokenizer.json (Hugging Face tokenizers format), this one failed: ${(e as Error)?.message ?? e}`);
  }
  const classifier = isClassifier(src.proto, cfg);
  const labels = classifier ? labelsOf(cfg, src.proto) : undefined;
  const maxLength = inputLength(cfg, num('n_positions', 'max_position_embeddings', 'n_ctx') ?? 512);
  const examples = classifier && examplesText !== undefined ? encodeExamples(tokenizer, examplesText, labels!, maxLength) : undefined;
  const lmHead = lmHeadOf(parsed, linear, classifier ? 'sequence-classification' : 'causal-lm');
  const tied = tiedHead(parsed, linear, src.proto, lmHead);
  const fusedAttention = fusedAttentionNote(parsed);
  let totalParams = 0;
  for (const t of parsed.tensors.values()) totalParams += t.params;
  const onnxBytes = (src.skimmedOnnxBytes ? 0 : src.onnxBytes.length) + [...src.external.values()].reduce((a, b) => a + b.length, 0) + [...(src.externalBlobs?.values() ?? [])].reduce((a, b) => a + b.size, 0);
  const summary: ModelSummary = {
    id: src.source === 'demo' ? `demo:${src.name}` : `files:${src.name}:${onnxBytes}${src.tokenizerFrom ? `:tokenizer=${src.tokenizerFrom}` : ''}`,
    name: src.name,
    source: src.source,
    modelType: String(cfg.model_type ?? 'unknown'),
    nPositions: num('n_positions', 'max_position_embeddings', 'n_ctx') ?? 0,
    vocabSize: num('vocab_size') ?? 0,
    totalParams,
    linearParams: linear.reduce((a, w) => a + w.params, 0),
    linearWeights: linear,
    onnxBytes,
    inputNames: parsed.inputNames,
    graphKind: graphKindOf(parsed.inputNames),
    ...(merged ? { mergedDecoder: merged } : {}),
    onnxPath: src.onnxPath,
    task: classifier ? 'sequence-classification' : 'causal-lm',
    ...(labels ? { labels } : {}),
    ...(examples ? { examples: { name: CLASSIFIER_EXAMPLES.name, count: examples.length } } : {}),
    published: reference && (reference.published.weights.length || reference.published.compute !== 'f32') ? reference.published : undefined,
    ...(lmHead ? { lmHead } : {}),
    ...(tied ? { tiedHead: tied } : {}),
    outputNames: parsed.outputNames,
    datasetName: DATASET.name,
    datasetTokens: datasetIds.length,
    ...(Array.isArray(cfg._from_graph) ? { configFromGraph: cfg._from_graph as string[] } : {}),
    ...(src.tokenizerFrom ? { tokenizerFrom: src.tokenizerFrom } : {}),
    ...(src.limitNote ? { limitNote: src.limitNote } : {}),
    ...(fusedAttention ? { fusedAttention } : {}),
  };
  const folder = { config: src.config, tokenizerJson: src.tokenizerJson, tokenizerConfig: src.tokenizerConfig };
  // data files given as handles stay files for ORT (no second copy of every weight in one buffer);
  // a published-compressed or merged graph is rewritten, so it is written whole as before
  const keepFiles = src.inlinedExternal && !reference && !merged && src.externalBlobs;
  const parts = keepFiles && externalDataParts(src.onnxBytes, keepFiles);
  const baselineBytes = parts
    ? withExternalData(parts.bytes, parts.files)
    : reference ? withFloatLogits(asPublished, src.onnxBytes) : writeBaseline(parsed, src.onnxBytes);
  return { summary, parsed, linear, examples, baselineBytes, baselineSize: keepFiles ? onnxBytes : baselineBytes.length, tokenizer, datasetIds, folder };
}
