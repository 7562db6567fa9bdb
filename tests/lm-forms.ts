/**
 * The demo LM (public/models/brown-gpt2-tiny) and the random gpt2-tiny in more published forms, by
 * tools/make_lm_forms.py (onnx + numpy, ~6 s each on an idle machine), into the git-ignored cache
 * when missing:
 *   .cache/models/brown-gpt2-tiny-forms    Optimum merged decoder (use_cache_branch), fp16, QDQ int8, Gemm(transB=0) linears
 *   .cache/models/brown-gpt2-tiny-external model.onnx + its weights split over model.onnx_data and model.onnx_data_1
 *   .cache/models/random-gpt2-tiny-forms   the same forms of the random gpt2-tiny
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ensureRandomGpt2Tiny, RANDOM_GPT2_TINY } from './random-gpt2-tiny';

const ROOT = path.resolve(RANDOM_GPT2_TINY, '../../..');
export const DEMO_FORMS = '.cache/models/brown-gpt2-tiny-forms';
export const DEMO_EXTERNAL = '.cache/models/brown-gpt2-tiny-external';
export const RANDOM_MERGED = '.cache/models/random-gpt2-tiny-forms';
const FORMS = ['decoder_model_merged.onnx', 'model_fp16.onnx', 'model_int8_qdq.onnx', 'model_gemm.onnx'];

const missing = (dir: string, files: string[]) => !files.every((f) => existsSync(path.join(ROOT, dir, 'onnx', f)));
const make = (args: string[]) => execFileSync('/usr/bin/python3', ['tools/make_lm_forms.py', ...args], { cwd: ROOT, stdio: 'ignore', timeout: 300_000 });

export function ensureLmForms(): void {
  if (missing(DEMO_FORMS, FORMS) || missing(DEMO_EXTERNAL, ['model.onnx', 'model.onnx_data', 'model.onnx_data_1'])) {
    make(['--model-dir', 'public/models/brown-gpt2-tiny', '--out', DEMO_FORMS, '--external-out', DEMO_EXTERNAL]);
  }
  ensureRandomGpt2Tiny();
  if (missing(RANDOM_MERGED, FORMS)) make(['--model-dir', RANDOM_GPT2_TINY, '--out', RANDOM_MERGED]);
}
