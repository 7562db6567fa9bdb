/**
 * The reliability part of `npm run bench`: the loader fuzz (tests/reliability.fuzz.test.ts, fixed
 * seed) and the worker-crash and device-lost browser tests (e2e/reliability.spec.ts), run as they
 * run in `npm test`, their measured figures read from the lines they print.
 * A figure the run did not print is null with its reason under `not_measured` (the test failed,
 * with its error; was skipped, with why; or the run itself did not finish), never a bare null:
 * device_lost_results_lost was null once in a whole bench because its test read the baseline's
 * ppl a moment before the table showed it ("—") and then failed, which the old block did not say;
 * and once more because the make ended before the test destroyed the device (a race). That test
 * now arms its faults in the worker before the run (the device is destroyed right after the first
 * kernel dispatch, the next variant's first dispatch has a binding mismatch), so speed cannot
 * decide it; the figure counts results lost over both retries (baseline and two variants).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../tests/local-models';

interface Ran {
  text: string;
  /** why the process did not end by itself with exit code 0, if it did not */
  ended?: string;
}

function run(cmd: string, args: string[], env: Record<string, string> = {}): Ran {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 15 * 60_000 });
  const ended = r.error ? `${r.error.message}` : r.signal ? `killed by ${r.signal}` : r.status ? `exit code ${r.status}` : undefined;
  return { text: `${r.stdout ?? ''}\n${r.stderr ?? ''}`, ...(ended ? { ended } : {}) };
}

const num = (text: string, re: RegExp): number | null => {
  const m = re.exec(text);
  return m ? Number(m[1]) : null;
};

/** One test's outcome in Playwright's JSON report: status, the first error line, the skip's reason. */
export interface TestOutcome {
  title: string;
  status: string;
  why?: string;
}

interface JsonSuite {
  title: string;
  specs?: { title: string; tests: { annotations?: { type: string; description?: string }[]; results: { status: string; error?: { message?: string } }[] }[] }[];
  suites?: JsonSuite[];
}

/** Every test of a Playwright JSON report (suites nest), with its last attempt's status. */
export function testOutcomes(report: { suites?: JsonSuite[] }): TestOutcome[] {
  const out: TestOutcome[] = [];
  const walk = (s: JsonSuite) => {
    for (const spec of s.specs ?? []) {
      for (const t of spec.tests) {
        const last = t.results.at(-1);
        const status = last?.status ?? 'not run';
        // eslint-disable-next-line no-control-regex
        // the assertion and what it received (e.g. which job failed, and why): the first lines, not the call log
        const lines = last?.error?.message?.replace(/\u001b\[[0-9;]*m/g, '').split('\n').map((l) => l.trim()).filter(Boolean);
        const error = lines?.slice(0, 6).join(' | ').slice(0, 600);
        const skip = t.annotations?.find((a) => a.type === 'skip')?.description;
        const why = status === 'skipped' ? skip ?? 'skipped' : error;
        out.push({ title: spec.title, status, ...(why ? { why } : {}) });
      }
    }
    for (const child of s.suites ?? []) walk(child);
  };
  for (const s of report.suites ?? []) walk(s);
  return out;
}

/** A figure's reason for being null: its test's status and error, or how the run ended. */
export function whyNotMeasured(tests: TestOutcome[], titlePart: RegExp, ran: Ran, reportError?: string): string {
  const t = tests.find((x) => titlePart.test(x.title));
  if (t && t.status !== 'passed') return `test ${t.status}${t.why ? `: ${t.why}` : ''} ("${t.title}")`;
  if (t) return `test passed but printed no figure ("${t.title}")`;
  return `no such test in the run (${ran.ended ?? 'exit code 0'}${reportError ? `; ${reportError}` : ''}): ${ran.text.trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`;
}

export function benchReliability(log: (s: string) => void, port: number) {
  log('reliability: loader fuzz (vitest)');
  const fuzz = run('npx', ['vitest', 'run', 'tests/reliability.fuzz.test.ts']);
  const m = /\[fuzz\] seed (\d+): (\d+) cases, (\d+) crashes, (\d+) hangs/.exec(fuzz.text);
  log('reliability: worker crash and device lost (playwright)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-reliability-'));
  const jsonFile = path.join(dir, 'report.json');
  const e2e = run('npx', ['playwright', 'test', 'e2e/reliability.spec.ts', '-g', 'crashed worker|device lost', '--reporter=list,json'], {
    CI: 'true',
    LAB_PORT: String(port),
    PLAYWRIGHT_JSON_OUTPUT_FILE: jsonFile,
  });
  let tests: TestOutcome[] = [];
  let reportError: string | undefined;
  try {
    tests = testOutcomes(JSON.parse(readFileSync(jsonFile, 'utf8')));
  } catch (e) {
    reportError = `no JSON report: ${(e as Error).message.slice(0, 120)}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const figures = {
    device_lost_results_lost: num(e2e.text, /\[reliability\] device_lost_results_lost=([\d.]+)/),
    worker_crash_recovered_s: num(e2e.text, /\[reliability\] worker_crash_recovered_s=([\d.]+)/),
  };
  const titles: Record<keyof typeof figures, RegExp> = { device_lost_results_lost: /device lost while a variant is made/, worker_crash_recovered_s: /crashed worker/ };
  const notMeasured: Record<string, string> = {};
  for (const k of Object.keys(figures) as (keyof typeof figures)[]) if (figures[k] === null) notMeasured[k] = whyNotMeasured(tests, titles[k], e2e, reportError);
  if (!m) notMeasured.fuzz = `no [fuzz] line (${fuzz.ended ?? 'exit code 0'}): ${fuzz.text.trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`;
  for (const [k, why] of Object.entries(notMeasured)) log(`reliability: ${k} not measured: ${why}`);
  return {
    fuzz_seed: m ? Number(m[1]) : null,
    fuzz_cases: m ? Number(m[2]) : null,
    fuzz_crashes: m ? Number(m[3]) : null,
    fuzz_hangs: m ? Number(m[4]) : null,
    ...figures,
    e2e_tests: Object.fromEntries(tests.map((t) => [t.title, t.status])),
    ...(Object.keys(notMeasured).length ? { not_measured: notMeasured } : {}),
    how: 'fuzz: tests/reliability.fuzz.test.ts (fast-check, fixed seed); crash, device loss and a failing WGSL kernel during makes (faults at known kernel dispatches): e2e/reliability.spec.ts in Chromium, figures from its [reliability] lines, each test\'s status from Playwright\'s JSON reporter (e2e_tests); a null figure has its reason in not_measured',
  };
}
