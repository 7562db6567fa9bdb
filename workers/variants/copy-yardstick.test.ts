// The make's yardsticks (copy-yardstick.ts): the bytes as held and a plain memory copy of the same
// bytes, both timed. Each copy's buffer is freed (detached) after timing: the model's own bytes must not be.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoLm } from '../../tests/local-models';
import { copyModelOnce, MEMCPY_PART, memcpyTime } from './copy-yardstick';

describe('copy yardstick', () => {
  // Chromium has ArrayBuffer.prototype.transfer (it frees the copies); Node 20 does not: detach the same way here
  const proto = ArrayBuffer.prototype as ArrayBuffer & { transfer?: (n: number) => ArrayBuffer };
  const had = proto.transfer;
  beforeAll(() => {
    if (!had) proto.transfer = function (this: ArrayBuffer, n: number) {
      structuredClone(this, { transfer: [this] });
      return new ArrayBuffer(n);
    };
  });
  afterAll(() => {
    if (!had) delete proto.transfer;
  });

  it('times a model held in memory both ways, over all its bytes, and leaves them whole', async () => {
    const model = loadDemoLm('brown-gpt2-tiny');
    const before = model.baselineBytes.slice(0, 64);
    const y = await copyModelOnce(model);
    expect(y.bytes).toBe(model.baselineBytes.length);
    expect(y.bytes).toBeGreaterThan(0);
    expect(y.ms).toBeGreaterThan(0);
    expect(y.memcpyMs).toBeGreaterThan(0);
    expect(model.baselineBytes.subarray(0, 64)).toEqual(before);
  });

  it('frees only the copies of a source spanning several parts', () => {
    const src = new Uint8Array(MEMCPY_PART + 3).map((_, i) => i & 255);
    expect(memcpyTime(src)).toBeGreaterThan(0);
    expect(src.buffer.byteLength).toBe(MEMCPY_PART + 3);
    expect(src[MEMCPY_PART + 2]).toBe((MEMCPY_PART + 2) & 255);
  });
});
