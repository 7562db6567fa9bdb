// Speed figures name what ran: when an EP refuses a packed variant the engine times its f32 twin
// (SpeedResult.form 'simulated'), and the chart, the results row, the CSV and the Speed action's
// stored figures must say "simulated (f32)" with the reason, not the variant's storage "packed".
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { ResultRow } from '../lib/selectors';
import { resultsCsv } from '../lib/results-export';
import { useLab } from '../store';
import { timeModels } from '../engine/speed';
import type { StoredSpeed, StoredVariant } from '../store/types';
import { Figure } from './ThroughputChart';
import { ResultRowView } from './ResultRow';

// the engine's bridge to the worker: the twin ran for the first figure asked, the packed model for the next
const { REASON, forms } = vi.hoisted(() => ({ REASON: 'the WebGPU EP refused MatMulNBits', forms: [] as ('packed' | 'simulated')[] }));
vi.mock('../engine/lab', () => ({
  bridge: {
    prefillSpeed: async (_m: string, id: string, settings: unknown) => ({
      modelId: 'm', variantId: id, settings, medianMs: 1, p10Ms: 1, p90Ms: 1, tokensPerS: 1, firstMs: 1, wasmThreads: 1, finishedAt: 't',
      ...(forms.shift() === 'simulated' ? { form: 'simulated', formReason: REASON } : { form: 'packed' }),
    }),
    cancel: async () => undefined,
  },
  ensureVariant: async () => ({ id: 'worker-v1' }),
}));
const variant = { id: 'v1', label: 'INT4 g32', spec: { method: 'int4-group', options: {} }, device: 'cpu', tensors: [], bitsPerWeight: 4.5, storage: 'packed', format: 'MatMulNBits 4-bit, block 32', packedBytes: 10, gzipBytes: 9, f32Bytes: 40, kernelMs: 3, makeMs: 9, copyMs: 1 } as unknown as StoredVariant;
const speed = (form: 'packed' | 'simulated'): StoredSpeed => ({
  modelKey: 'k', variantLabel: 'INT4 g32', runId: 'r', modelId: 'm', variantId: 'v1', backend: 'webgpu', form, ...(form === 'simulated' ? { formReason: REASON } : {}),
  seqLen: 64, warmup: 1, runsMs: [10, 11, 12], medianMs: 11, p10Ms: 10, p90Ms: 12, tokensPerS: 5818, interleavedWith: [], wasmThreads: 1, adapter: 'SwiftShader', finishedAt: 't',
});
const row = (form: 'packed' | 'simulated'): ResultRow => ({ key: 'v1', label: 'INT4 g32', variant, evals: {}, speeds: { webgpu: speed(form) } });
const text = (html: string) => html.replace(/<[^>]+>/g, '');

describe('speed figures say the form that ran', () => {
  it('the throughput chart: the twin timed reads "simulated (f32)" with its reason, the packed model "packed"', () => {
    const fig = (form: 'packed' | 'simulated') => renderToStaticMarkup(createElement(Figure, { r: row(form), s: speed(form), labelOf: (id: string) => id }));
    expect(text(fig('simulated'))).toContain('INT4 g32 · simulated (f32) · WebGPU');
    expect(text(fig('simulated'))).not.toContain('packed ·');
    expect(fig('simulated')).toContain(REASON);
    expect(text(fig('packed'))).toContain('INT4 g32 · packed · WebGPU');
  });

  it('the results row: a tag beside the number and the tooltip say simulated', () => {
    const html = (form: 'packed' | 'simulated') => renderToStaticMarkup(createElement(ResultRowView, { r: row(form) }));
    const sim = html('simulated');
    expect(sim).toMatch(/data-testid="speed-form-webgpu"[^>]*>simulated \(f32\)</);
    expect(sim).toMatch(/title="simulated \(f32\): the WebGPU EP refused MatMulNBits · WebGPU[^"]*" data-testid="speed-webgpu"/);
    expect(html('packed')).not.toContain('speed-form-webgpu');
    expect(html('packed')).toMatch(/title="packed · WebGPU[^"]*" data-testid="speed-webgpu"/);
  });

  it('the CSV: an interleaved form column beside the figure, "stored as" still the storage', () => {
    // the spec cell is quoted JSON with commas: cut the line at commas outside quotes
    const [head, line] = resultsCsv([row('simulated')], undefined).trim().split('\n').map((l) => l.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '')));
    expect(line[head.indexOf('interleaved form webgpu')]).toBe('simulated (f32)');
    expect(line[head.indexOf('stored as')]).toBe('"packed · MatMulNBits 4-bit, block 32"');
  });
});

describe('the Speed action stores each figure with the form it ran', () => {
  it('a prefill figure of the twin is stored "simulated (f32)", a packed one "packed"', async () => {
    forms.push('simulated', 'packed');
    const model = { id: 'm', name: 'tiny', totalParams: 1, onnxBytes: 1 };
    useLab.setState({ model: model as never, variants: [{ ...variant, modelKey: 'tiny|1|1' }], scalings: [] });
    await timeModels({ backends: ['webgpu'], batches: [1, 2], seqLen: 8, runs: 1, warmup: 0, promptTokens: 4, newTokens: 2, target: 'v1', decode: false }, () => undefined);
    expect(useLab.getState().scalings.map((s) => [s.kind === 'prefill' && s.settings.batch, s.storage])).toEqual([[1, 'simulated (f32)'], [2, 'packed']]);
  });
});
