// interleavedSpeed with the onnxruntime session layer replaced by a recording fake: each model's
// session is opened and warmed up before any timed run, then the timed runs go A B C A B C … (so
// drift lands on every model alike, the point of compareSpeed), and each model's median and spread
// come from its own timed runs only (warm-ups left out). A loop of A A B B fails the order check.
import { describe, expect, it, vi } from 'vitest';
import { Job } from '../jobs';

const calls: string[] = [];
/** per model, the ms its runs report: the first is its warm-up (never counted), then its timed runs */
const plan: Record<string, number[]> = {
  A: [9_000, 30, 10, 50, 20, 40],
  B: [9_000, 300, 100, 500, 200, 400],
  C: [9_000, 3, 1, 5, 2, 4],
};

vi.mock('./ort-runtime', () => ({
  openSession: vi.fn(async (key: string) => {
    calls.push(`open ${key}`);
    return { key, runs: 0 };
  }),
  runLogits: vi.fn(async (h: { key: string; runs: number }) => {
    const ms = plan[h.key][h.runs++];
    calls.push(`${h.runs === 1 ? 'warm' : 'run'} ${h.key}`);
    return { ms };
  }),
  closeSession: vi.fn(async (h: { key: string }) => {
    calls.push(`close ${h.key}`);
  }),
}));

const { interleavedSpeed } = await import('./speed');

describe('interleavedSpeed', () => {
  it('warms each model up once, then interleaves the timed runs A B C A B C, each model timed on its own runs', async () => {
    const targets = ['A', 'B', 'C'].map((id) => ({ id, key: id, getBytes: () => new Uint8Array() }));
    const window = new BigInt64Array(64);
    const out = await interleavedSpeed(targets, 'wasm', window, 5, 1, new Job('speed-test'));

    expect(calls).toEqual([
      'open A', 'warm A', 'open B', 'warm B', 'open C', 'warm C',
      ...Array.from({ length: 5 }, () => ['run A', 'run B', 'run C']).flat(),
      'close A', 'close B', 'close C',
    ]);
    expect(out.map((s) => s.id)).toEqual(['A', 'B', 'C']);
    for (const s of out) {
      const own = plan[s.id].slice(1);
      expect(s.runsMs).toEqual(own); // in run order, the warm-up (9,000 ms) left out
      expect(s.medianMs).toBe([...own].sort((a, b) => a - b)[2]);
      expect(s.tokensPerS).toBeCloseTo((64 * 1000) / s.medianMs, 9);
      expect(s).toMatchObject({ backend: 'wasm', seqLen: 64, warmup: 1 });
    }
    // each model's runs are 1..5 times its own scale (10, 100, 1): spread p10-p90 at 1.4 and 4.6 of it
    expect(out.map((s) => s.medianMs)).toEqual([30, 300, 3]);
    out.forEach((s, i) => {
      expect(s.p10Ms).toBeCloseTo([14, 140, 1.4][i], 9);
      expect(s.p90Ms).toBeCloseTo([46, 460, 4.6][i], 9);
    });
  });
});
