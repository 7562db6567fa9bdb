// `npm test`: every test of the lab. Unit and Node-side tests (vitest), then the browser tests
// (Playwright in Chromium with real WebGPU). Exits non-zero when any fails.
// The typecheck runs beside vitest (one tsc thread; ~15 s that no longer come before the tests),
// its output held until vitest is done so the two logs do not interleave.
import { spawn, spawnSync } from 'node:child_process';
import { findChromium } from './find-chromium.mjs';

const chromium = findChromium();
const env = { ...process.env, CHROME_PATH: chromium, ONNXRUNTIME_NODE_INSTALL: 'skip' };
const line = (cmd, args) => `$ ${cmd} ${args.join(' ')}`;
const run = (cmd, args) => {
  console.log(`\n${line(cmd, args)}`);
  return spawnSync(cmd, args, { stdio: 'inherit', env }).status ?? 1;
};
/** Started now, its output kept; resolves to the exit status and that output. */
const background = (cmd, args) =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('error', (e) => resolve({ status: 1, out: `${e.message}\n` }));
    child.on('close', (status) => resolve({ status: status ?? 1, out: Buffer.concat(out).toString('utf8') }));
  });

let failed = 0;
const check = (cmd, args, status) => {
  if (status === 0) return;
  failed++;
  console.error(`FAILED: ${cmd} ${args.join(' ')} (exit ${status})`);
};

const copy = ['node', ['scripts/copy-runtime-assets.mjs']];
check(...copy, run(...copy));
const tsc = ['npx', ['tsc', '--noEmit', '-p', '.']];
const typecheck = background(...tsc);
const vitest = ['npx', ['vitest', 'run']];
check(...vitest, run(...vitest));
const typed = await typecheck;
console.log(`\n${line(...tsc)} (ran beside vitest)\n${typed.out}`);
check(...tsc, typed.status);
const playwright = ['npx', ['playwright', 'test', ...process.argv.slice(2)]];
check(...playwright, run(...playwright));
process.exit(failed ? 1 : 0);
