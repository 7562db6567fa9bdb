/**
 * Node-side access to the shipped demo models, for tests and the benchmark: transformers.js
 * pointed at public/models with remote loading off, and onnxruntime-node sessions.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { env, AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MODELS = path.join(ROOT, 'public', 'models');
export const DATASETS = path.join(ROOT, 'public', 'datasets');

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = MODELS + path.sep;

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

export { ort };
