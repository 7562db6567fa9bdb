// The one token-writing loop (generation and decode speed) on the shipped small demo LM in
// onnxruntime-node: on the KV-cache export it writes on the cache, on the prefill export it runs
// the whole context per token, and both write the same greedy tokens; a cache that would run past
// the model's positions falls back to the whole context, and says so.
import { describe, expect, it } from 'vitest';
import { DEMO_LMS, ort, session } from '../../tests/local-models';
import { pickToken, writeTokens } from './generate-loop';
import type { SessionHandle } from './ort-runtime';

const MODEL = DEMO_LMS.includes('brown-gpt2-mini') ? 'brown-gpt2-mini' : DEMO_LMS[0];

/** A node session in the shape the loop runs (no WebGPU device: nothing to watch for loss). */
async function handle(file?: string): Promise<SessionHandle> {
  const s = await session(MODEL, file);
  return { key: file ?? 'plain', backend: 'wasm', ort: ort as never, session: s as never, inputNames: s.inputNames, lastUsed: 0, createdAt: 0, createMs: 0 };
}

const greedy = (row: Float32Array) => pickToken(row, 0, () => 0);
const prompt = [464, 318, 257, 1332, 286, 262, 995, 13, 383, 373, 407, 1110, 284, 779, 340, 11].map((x) => x % 8000);

describe.skipIf(!MODEL)(`writeTokens on ${MODEL}`, () => {
  it('KV cache and whole context write the same greedy tokens, each saying how', async () => {
    const seen: number[] = [];
    const kv = await writeTokens(await handle('onnx/decoder_model_merged.onnx'), prompt, 8, 256, greedy, async (i) => void seen.push(i));
    const full = await writeTokens(await handle(), prompt, 8, 256, greedy, async () => undefined);
    expect(kv.decode).toBe('KV cache, one token per step');
    expect(full.decode).toBe('prefill per token (no KV cache)');
    expect(kv.tokens).toEqual(full.tokens);
    expect(kv.tokens).toHaveLength(8);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const r of [kv, full]) {
      expect(r.stepMs).toHaveLength(7);
      expect(r.promptMs).toBeGreaterThan(0);
    }
  });

  it('a cache that would pass the model\'s positions is not used: the last window tokens run again per token', async () => {
    const r = await writeTokens(await handle('onnx/decoder_model_merged.onnx'), prompt, 4, prompt.length + 3, greedy, async () => undefined);
    expect(r.decode).toBe('prefill per token (no KV cache)');
    expect(r.tokens).toHaveLength(4);
  });

  it('picks the argmax at temperature 0 and draws from the softmax otherwise', () => {
    const row = Float32Array.from([0.1, 3, -1, 2.9]);
    expect(pickToken(row, 0, () => 0.99)).toBe(1);
    expect(pickToken(row, 1, () => 0)).toBe(0);
    expect(pickToken(row, 1, () => 0.999999)).toBe(3);
  });
});
