// The bench's reliability block never leaves a bare null (scripts/bench-reliability.ts): each
// figure's test outcome is read from Playwright's JSON report, and a missing figure gets its reason.
import { describe, expect, it } from 'vitest';
import { testOutcomes, whyNotMeasured } from '../scripts/bench-reliability';

const report = {
  suites: [{
    title: 'reliability.spec.ts',
    specs: [
      { title: 'a crashed worker fails the job in flight', tests: [{ results: [{ status: 'passed' }] }] },
      { title: 'GPU device lost while a variant is made on WebGPU', tests: [{ results: [{ status: 'failed', error: { message: '\u001b[31mError: expect(locator).toHaveText(expected) failed\u001b[39m\n\nLocator: …' } }] }] },
    ],
    suites: [{ title: 'nested', specs: [{ title: 'GPU device lost during a WebGPU evaluation', tests: [{ annotations: [{ type: 'skip', description: 'no WebGPU adapter here' }], results: [{ status: 'skipped' }] }] }] }],
  }],
};

describe('the reliability block says why a figure is missing', () => {
  it('reads every test (nested suites too), its status and first error line or skip reason', () => {
    expect(testOutcomes(report)).toEqual([
      { title: 'a crashed worker fails the job in flight', status: 'passed' },
      { title: 'GPU device lost while a variant is made on WebGPU', status: 'failed', why: 'Error: expect(locator).toHaveText(expected) failed | Locator: …' },
      { title: 'GPU device lost during a WebGPU evaluation', status: 'skipped', why: 'no WebGPU adapter here' },
    ]);
  });

  it('a failed or skipped test, a silent pass, and a run that never got there each give a reason', () => {
    const tests = testOutcomes(report);
    const ran = { text: 'Error: http://localhost:5317 is already used\n', ended: 'exit code 1' };
    expect(whyNotMeasured(tests, /device lost while/, ran)).toBe('test failed: Error: expect(locator).toHaveText(expected) failed | Locator: … ("GPU device lost while a variant is made on WebGPU")');
    expect(whyNotMeasured(tests, /during a WebGPU evaluation/, ran)).toBe('test skipped: no WebGPU adapter here ("GPU device lost during a WebGPU evaluation")');
    expect(whyNotMeasured(tests, /crashed worker/, ran)).toBe('test passed but printed no figure ("a crashed worker fails the job in flight")');
    expect(whyNotMeasured([], /crashed worker/, ran, 'no JSON report: ENOENT')).toBe('no such test in the run (exit code 1; no JSON report: ENOENT): Error: http://localhost:5317 is already used');
  });
});
