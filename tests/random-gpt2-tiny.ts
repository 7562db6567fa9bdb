/**
 * The random GPT-2 shape at its smallest (tools/make_random_model.py --shape gpt2-tiny --forms:
 * 2 layers × 32 wide, GPT-2's 50257-token tokenizer) with its published forms, in the git-ignored
 * cache. Built when missing (about 10 s of torch export + numpy packing), then reused.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RANDOM_GPT2_TINY = path.join(ROOT, '.cache/models/random-gpt2-tiny');
export const RANDOM_FORMS = ['model.onnx', 'decoder_model_merged.onnx', 'model_fp16.onnx', 'model_q4.onnx', 'model_int8_qdq.onnx'];

export function ensureRandomGpt2Tiny(): string {
  if (!RANDOM_FORMS.every((f) => existsSync(path.join(RANDOM_GPT2_TINY, 'onnx', f)))) {
    execFileSync('/usr/bin/python3', ['tools/make_random_model.py', '--shape', 'gpt2-tiny', '--forms'], { cwd: ROOT, stdio: 'ignore', timeout: 300_000 });
  }
  return RANDOM_GPT2_TINY;
}
