/**
 * The reliability part of `npm run bench`: the loader fuzz (tests/reliability.fuzz.test.ts, fixed
 * seed) and the worker-crash and device-lost browser tests (e2e/reliability.spec.ts), run as they
 * run in `npm test`, their measured figures read from the lines they print.
 */
import { spawnSync } from 'node:child_process';
import { ROOT } from '../tests/local-models';

function run(cmd: string, args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 15 * 60_000 });
  return `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
}

const num = (text: string, re: RegExp): number | null => {
  const m = re.exec(text);
  return m ? Number(m[1]) : null;
};

export function benchReliability(log: (s: string) => void, port: number) {
  log('reliability: loader fuzz (vitest)');
  const fuzz = run('npx', ['vitest', 'run', 'tests/reliability.fuzz.test.ts']);
  const m = /\[fuzz\] seed (\d+): (\d+) cases, (\d+) crashes, (\d+) hangs/.exec(fuzz);
  log('reliability: worker crash and device lost (playwright)');
  const e2e = run('npx', ['playwright', 'test', 'e2e/reliability.spec.ts', '-g', 'crashed worker|device lost'], { CI: 'true', LAB_PORT: String(port) });
  return {
    fuzz_seed: m ? Number(m[1]) : null,
    fuzz_cases: m ? Number(m[2]) : null,
    fuzz_crashes: m ? Number(m[3]) : null,
    fuzz_hangs: m ? Number(m[4]) : null,
    device_lost_results_lost: num(e2e, /\[reliability\] device_lost_results_lost=([\d.]+)/),
    worker_crash_recovered_s: num(e2e, /\[reliability\] worker_crash_recovered_s=([\d.]+)/),
    how: 'fuzz: tests/reliability.fuzz.test.ts (fast-check, fixed seed); crash and device loss: e2e/reliability.spec.ts in Chromium, figures from its [reliability] lines; null = the run did not print it',
  };
}
