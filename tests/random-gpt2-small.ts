/**
 * The random GPT-2 shape at 124 M parameters (tools/make_random_model.py --shape gpt2-small:
 * 12 layers × 768, GPT-2's tokenizer; `npm run models:random -- gpt2-small`) in the git-ignored
 * cache, built when missing (torch export of 650 MB of f32, a minute or two), then reused: the
 * shape the bench's scale and calibration blocks and e2e/gptq-124m.spec.ts run on.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RANDOM_GPT2_SMALL = path.join(ROOT, '.cache/models/random-gpt2-small');

/** The folder, built first if its onnx/model.onnx is missing; `builtS`: how long the build took (0: it was there). */
export function ensureRandomGpt2Small(log: (s: string) => void = () => {}): { dir: string; builtS: number } {
  if (existsSync(path.join(RANDOM_GPT2_SMALL, 'onnx', 'model.onnx'))) return { dir: RANDOM_GPT2_SMALL, builtS: 0 };
  log('making the 124 M GPT-2 shape (tools/make_random_model.py --shape gpt2-small)');
  const t = performance.now();
  execFileSync('/usr/bin/python3', ['tools/make_random_model.py', '--shape', 'gpt2-small'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], timeout: 20 * 60_000 });
  const builtS = (performance.now() - t) / 1000;
  log(`made it in ${builtS.toFixed(0)} s`);
  return { dir: RANDOM_GPT2_SMALL, builtS };
}
