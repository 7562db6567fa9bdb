/**
 * Node-side access to the shipped demo models, for tests and the benchmark: transformers.js
 * pointed at public/models with remote loading off, and onnxruntime-node sessions.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { env, AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import { slidingPerplexity, type RunWindow } from '../workers/eval/windows';
import { buildModel, gatherFiles, type DroppedFile, type LoadedModel } from '../workers/model/load';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MODELS = path.join(ROOT, 'public', 'models');
export const DATASETS = path.join(ROOT, 'public', 'datasets');

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = MODELS + path.sep;

/** The demo LMs this checkout ships (the second, smaller one is there for the size comparison). */
export const DEMO_LMS = ['brown-gpt2-tiny', 'brown-gpt2-mini', 'brown-gpt2'].filter((m) => existsSync(path.join(MODELS, m, 'metrics.json')));

export const modelFile = (model: string, file: string) => path.join(MODELS, model, file);
export const readJson = <T = any>(file: string): T => JSON.parse(readFileSync(file, 'utf8'));

export async function tokenizer(model: string): Promise<PreTrainedTokenizer> {
  return AutoTokenizer.from_pretrained(model, { local_files_only: true });
}

export async function session(model: string, onnxFile = 'onnx/model.onnx'): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(modelFile(model, onnxFile), { executionProviders: ['cpu'] });
}

export const int64 = (ids: ArrayLike<number>, dims: number[]) =>
  new ort.Tensor('int64', BigInt64Array.from(Array.from(ids, (v) => BigInt(v))), dims);

/** One window through an onnxruntime-node session (batch 1): the RunWindow that
 *  workers/eval/windows.ts drives. Attention mask of ones; position_ids only if declared; a KV-cache
 *  decoder gets an empty past (written here again, apart from the lab's feeds builder, on purpose). */
export function windowRunner(s: ort.InferenceSession): RunWindow {
  const names = s.inputNames;
  const pasts = (s.inputMetadata as unknown as { name: string; shape?: (number | string)[] }[]).filter((m) => m.name.startsWith('past_key_values.'));
  return async (win) => {
    const n = win.length;
    const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', win, [1, n]) };
    if (names.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
    if (names.includes('position_ids')) feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), [1, n]);
    if (names.includes('use_cache_branch')) feeds.use_cache_branch = new ort.Tensor('bool', new Uint8Array([0]), [1]);
    for (const p of pasts) {
      const [, heads, , headDim] = p.shape ?? [];
      feeds[p.name] = new ort.Tensor('float32', new Float32Array(0), [1, Number(heads), 0, Number(headDim)]);
    }
    const t = (await s.run(feeds, ['logits'])).logits;
    return { logits: t.data as Float32Array, vocab: t.dims[t.dims.length - 1] };
  };
}

/** The demo LM (brown-gpt2) as the lab's worker loads it, with the built-in test text. */
export function loadDemoLm(model = 'brown-gpt2'): LoadedModel {
  return loadFolder(path.join(MODELS, model));
}

/** A model folder (config.json, tokenizer files when there, onnx/model.onnx) as the worker loads it, with the built-in test text. */
export function loadFolder(dir: string): LoadedModel {
  const file = (p: string): DroppedFile => {
    const b = readFileSync(path.join(dir, p));
    return { path: p, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  };
  const text = readFileSync(path.join(DATASETS, 'brown-test.txt'), 'utf8');
  const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].filter((p) => existsSync(path.join(dir, p)));
  return buildModel(gatherFiles(files.map(file)), text);
}

/** Sliding-window perplexity of ONNX bytes in onnxruntime-node on a loaded model's dataset tokens. */
/** Every position's logits of one sequence (batch 1) through an onnxruntime-node session on `bytes`. */
/** Logits of `ids` from a model given as bytes or as the path of its .onnx (external data beside it). */
/** `level` 'basic' keeps onnxruntime-node from running int8 DequantizeLinear → MatMul as its own 8-bit arithmetic (ep-probe.test.ts). */
export async function logitsOfBytes(bytes: Uint8Array | string, ids: Int32Array, level: 'basic' | 'all' = 'all'): Promise<Float32Array> {
  const options = { executionProviders: ['cpu'], graphOptimizationLevel: level };
  const s = typeof bytes === 'string' ? await ort.InferenceSession.create(bytes, options) : await ort.InferenceSession.create(bytes, options);
  try {
    const n = ids.length;
    const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]) };
    if (s.inputNames.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
    if (s.inputNames.includes('position_ids')) feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), [1, n]);
    return (await s.run(feeds, ['logits'])).logits.data as Float32Array;
  } finally {
    await s.release();
  }
}

/** Logits of `ids` from a model written as a folder (`model.onnx` and, when given, its external data file `dataName`), loaded from disk. */
export async function logitsOfFolder(onnx: Uint8Array, data: Uint8Array | undefined, dataName: string, ids: Int32Array): Promise<Float32Array> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lab-folder-'));
  try {
    writeFileSync(path.join(dir, 'model.onnx'), onnx);
    if (data) writeFileSync(path.join(dir, dataName), data);
    return await logitsOfBytes(path.join(dir, 'model.onnx'), ids);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function pplOfBytes(model: LoadedModel, bytes: Uint8Array, w: { tokens: number; context: number; stride: number }): Promise<number> {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  try {
    return (await slidingPerplexity(model.datasetIds, w, windowRunner(s))).ppl;
  } finally {
    await s.release();
  }
}

export { ort };
