// `npm test`: every test of the lab. Unit and Node-side tests (vitest), then the browser tests
// (Playwright in Chromium with real WebGPU). Exits non-zero when any fails.
import { spawnSync } from 'node:child_process';
import { findChromium } from './find-chromium.mjs';

const chromium = findChromium();
const env = { ...process.env, CHROME_PATH: chromium, ONNXRUNTIME_NODE_INSTALL: 'skip' };
const run = (cmd, args) => {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { stdio: 'inherit', env }).status ?? 1;
};

const steps = [
  ['node', ['scripts/copy-runtime-assets.mjs']],
  ['npx', ['tsc', '--noEmit', '-p', '.']],
  ['npx', ['vitest', 'run']],
  ['npx', ['playwright', 'test', ...process.argv.slice(2)]],
];
let failed = 0;
for (const [cmd, args] of steps) {
  const status = run(cmd, args);
  if (status !== 0) {
    failed++;
    console.error(`FAILED: ${cmd} ${args.join(' ')} (exit ${status})`);
  }
}
process.exit(failed ? 1 : 0);
