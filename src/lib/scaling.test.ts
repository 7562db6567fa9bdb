// The Speed panel's grouping: figures of different settings never share a chart; one line per
// backend × model over batch sizes, in batch order, baseline first; software adapters named.
import { describe, expect, it } from 'vitest';
import { batchSeries, decodeBars, decodeGroups, placesOf, prefillGroups, scalingWhere } from './scaling';
import type { StoredDecodeSpeed, StoredPrefillSpeed } from '../store/scaling';

const prefill = (variantId: string, backend: 'wasm' | 'webgpu', batch: number, seqLen = 128, runs = 5, medianMs = 100, p90Ms = 120): StoredPrefillSpeed => ({
  kind: 'prefill', modelKey: 'm', variantLabel: variantId, modelId: 'demo', variantId,
  settings: { backend, batch, seqLen, runs, warmup: 1 }, medianMs, p10Ms: medianMs, p90Ms, tokensPerS: (batch * seqLen) / (medianMs / 1000), firstMs: 500,
  sessionCreateMs: 40, sessionReused: batch > 1, wasmThreads: 4, ...(backend === 'webgpu' ? { adapter: 'google swiftshader' } : {}), finishedAt: '',
});
const decode = (variantId: string, backend: 'wasm' | 'webgpu', decodeMode: StoredDecodeSpeed['decode'], newTokens = 64): StoredDecodeSpeed => ({
  kind: 'decode', modelKey: 'm', variantLabel: variantId, modelId: 'demo', variantId, decode: decodeMode,
  settings: { backend, promptTokens: 128, newTokens, runs: 5, warmup: 1 }, runsTokS: [100], medianMs: 10, p90Ms: 12, tokensPerS: 100, promptMs: 30, firstMs: 900,
  sessionCreateMs: 40, sessionReused: true, wasmThreads: 4, finishedAt: '',
});

describe('speed figures', () => {
  it('groups prefill figures by seq, runs and warm-up only (backend and batch are the chart\'s axes)', () => {
    const list = [prefill('int8', 'wasm', 1), prefill('baseline', 'wasm', 4), prefill('baseline', 'webgpu', 1), prefill('baseline', 'wasm', 1, 32), decode('baseline', 'wasm', 'KV cache, one token per step')];
    const groups = prefillGroups(list);
    expect(groups.map((g) => g.figures.length)).toEqual([3, 1]);
    expect(groups[0].label).toBe('128 tokens a row, median of 5 timed runs after 1 warm-up');
    expect(groups[1].figures[0].settings.seqLen).toBe(32);
  });

  it('keeps decode with and without a KV cache, or other lengths, apart', () => {
    const groups = decodeGroups([decode('baseline', 'wasm', 'KV cache, one token per step'), decode('int8', 'wasm', 'prefill per token (no KV cache)'), decode('int8', 'wasm', 'KV cache, one token per step', 8)]);
    expect(groups).toHaveLength(3);
    expect(groups[0].figures[0].variantId).toBe('baseline');
  });

  it('draws one line per backend × model, batches ascending, baseline first', () => {
    const s = batchSeries([prefill('int8', 'wasm', 4, 128, 5, 200, 400), prefill('baseline', 'wasm', 16), prefill('baseline', 'wasm', 1), prefill('baseline', 'webgpu', 1)]);
    expect(s.map((x) => x.id)).toEqual(['wasm|baseline', 'webgpu|baseline', 'wasm|int8']);
    expect(s[0].points.map((p) => p.batch)).toEqual([1, 16]);
    expect(s[2].points[0]).toEqual({ batch: 4, tokS: 2560, p90TokS: 1280 });
  });

  it('says where each figure was timed, and that a software adapter is not a GPU', () => {
    expect(scalingWhere(prefill('baseline', 'wasm', 1))).toBe('WASM, 4 threads');
    expect(scalingWhere(prefill('baseline', 'webgpu', 1))).toMatch(/google swiftshader \(software adapter: this is the CPU, not a GPU's speed\)/);
    expect(placesOf([prefill('a', 'wasm', 1), prefill('b', 'wasm', 4), { ...prefill('c', 'wasm', 8), wasmThreads: 1 }]).wasm).toEqual(['WASM, 4 threads', 'WASM, 1 thread']);
  });
});

describe('decode bars', () => {
  it('label each bar with model, backend, storage, threads or adapter and runs; value = median run with the slowest–fastest spread', () => {
    const int4 = { ...decode('int4', 'webgpu', 'KV cache, one token per step'), variantLabel: 'INT4 g32', storage: 'packed', adapter: 'google swiftshader', runsTokS: [40, 55.5, 50], tokensPerS: 50 };
    const base = { ...decode('baseline', 'wasm', 'KV cache, one token per step'), storage: 'source model', runsTokS: [90, 110, 100] };
    const bars = decodeBars([int4, { ...base, settings: { ...base.settings, backend: 'webgpu' as const }, adapter: 'google swiftshader' }, base]);
    expect(bars.map((b) => b.id)).toEqual(['wasm|baseline', 'webgpu|baseline', 'webgpu|int4']);
    expect(bars[0].label).toBe('baseline · WASM · source model · 4 threads · 5 runs');
    expect(bars[0].value).toBe('100 tok/s (runs 90.0–110)');
    expect(bars[2].label).toBe('INT4 g32 · WebGPU · packed · google swiftshader (software: CPU) · 5 runs');
    expect([bars[2].lo, bars[2].tokS, bars[2].hi]).toEqual([40, 50, 55.5]);
    expect(decodeBars([{ ...base, storage: undefined }])[0].label).toContain('form not recorded');
  });
});
