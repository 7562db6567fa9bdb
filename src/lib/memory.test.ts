// The browser-memory figure is bounded (lib/memory.ts): a measurement that answers gives its bytes;
// one that never answers (the WASM thread pool's pthread worker, parked in Atomics.wait) gives
// "unknown" with the reason once the bound has passed, never a made-up number.
import { describe, expect, it } from 'vitest';
import { MEMORY_TIMEOUT_MS, boundedMeasure, measureBrowserMemory, noAnswerReason } from './memory';

const answer = { bytes: 123_456_789, breakdown: [{ bytes: 123_456_789, types: ['Window', 'JS'] }, { bytes: 0, types: ['DedicatedWorker'] }] };

describe('the bounded browser-memory measurement', () => {
  it('an answer within the bound: its bytes, the empty parts dropped', async () => {
    const m = await boundedMeasure(() => new Promise((r) => setTimeout(() => r(answer), 5)), { timeoutMs: 2_000, wasmThreads: 2 });
    expect(m).toMatchObject({ bytes: 123_456_789, breakdown: [{ bytes: 123_456_789, types: ['Window', 'JS'] }] });
  });

  it('no answer: "unknown" after the bound, naming the WASM thread pool when there is one', async () => {
    const never = () => new Promise<never>(() => {});
    const t0 = performance.now();
    const pool = await boundedMeasure(never, { timeoutMs: 50, wasmThreads: 2 });
    expect(performance.now() - t0).toBeLessThan(MEMORY_TIMEOUT_MS); // it returned on our timer, not never
    expect(pool).toEqual({ unavailable: noAnswerReason(50, 2) });
    expect('unavailable' in pool && pool.unavailable).toMatch(/^unknown: the browser did not answer within 0.05 s; the WASM thread pool \(2 threads\) does not answer/);
    expect('bytes' in pool).toBe(false);
    const one = await boundedMeasure(never, { timeoutMs: 50, wasmThreads: 1 });
    expect(one).toEqual({ unavailable: 'unknown: the browser did not answer within 0.05 s' });
  });

  it('a refusal says so; a page that is not cross-origin isolated gets none (Node here is not)', async () => {
    expect(await boundedMeasure(() => Promise.reject(new Error('SecurityError')), { timeoutMs: 1_000, wasmThreads: 2 })).toEqual({ unavailable: 'not available: the browser refused (SecurityError)' });
    expect(await measureBrowserMemory(2)).toEqual({ unavailable: expect.stringMatching(/not cross-origin isolated/) });
  });
});
