// Windowing and NLL reduction against hand-worked cases. If a window test fails, compare with
// HF's loop written out in windows.ts' header: scored positions are [max(prev_end, begin+1), end).
import { describe, expect, it } from 'vitest';
import { checkWindowSettings, medianP90, rowNll, scoredCount, slidingPerplexity, slidingWindows, windowNll } from './windows';

describe('slidingWindows', () => {
  it('stride = context: disjoint windows, the first token of each is not scored', () => {
    const w = slidingWindows({ tokens: 10, context: 4, stride: 4 });
    expect(w).toEqual([
      { begin: 0, end: 4, scoreFrom: 1 },
      { begin: 4, end: 8, scoreFrom: 5 },
      { begin: 8, end: 10, scoreFrom: 9 },
    ]);
    expect(scoredCount(w)).toBe(3 + 3 + 1);
  });

  it('stride < context: overlapping windows score only tokens not scored before', () => {
    const w = slidingWindows({ tokens: 10, context: 4, stride: 2 });
    expect(w).toEqual([
      { begin: 0, end: 4, scoreFrom: 1 },
      { begin: 2, end: 6, scoreFrom: 4 },
      { begin: 4, end: 8, scoreFrom: 6 },
      { begin: 6, end: 10, scoreFrom: 8 },
    ]);
    // every token but the very first is scored exactly once
    expect(scoredCount(w)).toBe(9);
  });

  it('stops at the window that reaches the end (HF breaks when end == N)', () => {
    const w = slidingWindows({ tokens: 8, context: 4, stride: 2 });
    expect(w.map((x) => [x.begin, x.end])).toEqual([[0, 4], [2, 6], [4, 8]]);
    expect(scoredCount(w)).toBe(7);
  });

  it('a trailing one-token window scores nothing and is dropped', () => {
    const w = slidingWindows({ tokens: 9, context: 4, stride: 4 });
    expect(w.map((x) => [x.begin, x.end])).toEqual([[0, 4], [4, 8]]);
    expect(scoredCount(w)).toBe(6);
  });

  it('counts for the e2e settings: 2048 tokens, context 256 = stride', () => {
    const w = slidingWindows({ tokens: 2048, context: 256, stride: 256 });
    expect(w.length).toBe(8);
    expect(scoredCount(w)).toBe(8 * 255);
  });

  it('stride 1 scores every token after the first, one per window after the first', () => {
    const w = slidingWindows({ tokens: 6, context: 3, stride: 1 });
    expect(scoredCount(w)).toBe(5);
    expect(w.slice(1).every((x) => x.end - x.scoreFrom === 1)).toBe(true);
  });

  it('rejects bad settings naming the range', () => {
    expect(checkWindowSettings({ tokens: 10, context: 4, stride: 5 })).toMatch(/stride must be an integer in \[1, context=4\]/);
    expect(checkWindowSettings({ tokens: 1, context: 4, stride: 4 })).toMatch(/tokens/);
    expect(checkWindowSettings({ tokens: 10, context: 4, stride: 4 })).toBeNull();
  });
});

describe('NLL reduction', () => {
  it('hand case: vocab 3, logits [0, ln 2, ln 3] → p = [1/6, 2/6, 3/6]', () => {
    const l = new Float32Array([0, Math.log(2), Math.log(3)]);
    expect(rowNll(l, 0, 3, 0)).toBeCloseTo(Math.log(6), 6);
    expect(rowNll(l, 0, 3, 1)).toBeCloseTo(Math.log(3), 6);
    expect(rowNll(l, 0, 3, 2)).toBeCloseTo(Math.log(2), 6);
  });

  it('is stable for huge logits (max-subtract)', () => {
    const l = new Float32Array([1000, 1000 + Math.log(3)]);
    expect(rowNll(l, 0, 2, 0)).toBeCloseTo(Math.log(4), 4);
    expect(Number.isFinite(rowNll(new Float32Array([-1e30, 0]), 0, 2, 1))).toBe(true);
  });

  it('window: row t-1-begin scores token t, only [scoreFrom, end)', () => {
    // window over ids[2:5] = [7, 1, 0], vocab 2 (ids beyond vocab are never scored here)
    const ids = [9, 9, 7, 1, 0];
    const logits = new Float32Array([
      0, Math.log(3), // row 0 (position 2) scores token at 3 (= 1): p = 3/4
      Math.log(4), 0, // row 1 (position 3) scores token at 4 (= 0): p = 4/5
      5, 5, // row 2 (position 4) scores nothing
    ]);
    const r = windowNll(logits, 2, ids, { begin: 2, end: 5, scoreFrom: 3 });
    expect(r.count).toBe(2);
    expect(r.sum).toBeCloseTo(-Math.log(3 / 4) - Math.log(4 / 5), 6);
    const only = windowNll(logits, 2, ids, { begin: 2, end: 5, scoreFrom: 4 });
    expect(only.count).toBe(1);
    expect(only.sum).toBeCloseTo(-Math.log(4 / 5), 6);
  });

  it('rejects logits of the wrong size', () => {
    expect(() => windowNll(new Float32Array(5), 2, [0, 0, 0], { begin: 0, end: 3, scoreFrom: 1 })).toThrow(/expected seq 3 × vocab 2/);
  });
});

describe('slidingPerplexity', () => {
  it('uniform logits give ppl = vocab; the runner sees each window once', async () => {
    const vocab = 16;
    const ids = Array.from({ length: 50 }, (_, i) => i % vocab);
    const seen: number[] = [];
    const r = await slidingPerplexity(ids, { tokens: 40, context: 8, stride: 5 }, async (x) => {
      seen.push(x.length);
      return { logits: new Float32Array(x.length * vocab), vocab };
    });
    expect(r.ppl).toBeCloseTo(vocab, 9);
    expect(r.tokensScored).toBe(39);
    expect(r.windows).toBe(seen.length);
    expect(seen.every((n) => n <= 8)).toBe(true);
  });

  it('a hook that throws stops between windows', async () => {
    let calls = 0;
    const run = async (x: BigInt64Array) => {
      calls++;
      return { logits: new Float32Array(x.length * 4), vocab: 4 };
    };
    const stop = (i: number) => {
      if (i === 2) throw Object.assign(new Error('stop'), { name: 'Cancelled' });
    };
    await expect(slidingPerplexity([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3], { tokens: 12, context: 3, stride: 3 }, run, { beforeWindow: stop })).rejects.toThrow('stop');
    expect(calls).toBe(2);
  });
});

describe('medianP90', () => {
  it('odd, even and nearest-rank p90', () => {
    expect(medianP90([3, 1, 2])).toEqual({ median: 2, p90: 3 });
    expect(medianP90([4, 1, 3, 2])).toEqual({ median: 2.5, p90: 4 });
    expect(medianP90(Array.from({ length: 10 }, (_, i) => i + 1)).p90).toBe(9);
  });
});
