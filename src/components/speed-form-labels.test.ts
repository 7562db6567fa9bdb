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
import type { StoredEval, StoredSpeed, StoredVariant } from '../store/types';
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
// the rows the panels draw (useResultRows), set by a test
const { shown } = vi.hoisted(() => ({ shown: { rows: [] as ResultRow[] } }));
vi.mock('../lib/selectors', async (original) => ({ ...(await original<typeof import('../lib/selectors')>()), useResultRows: () => shown.rows }));
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
    // f32 bytes say what they are (the source as loaded here: no model published compressed is loaded)
    expect(html('packed')).toContain('title="the source model as loaded, its weights already f32: 40 bytes" data-testid="f32-bytes"');
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

// Every figure on screen says how it was measured (issue 6): what ran (packed, simulated (f32),
// source) and where (backend, WASM threads or the WebGPU adapter); a 3-bit variant, stored f32,
// is marked simulated wherever its perplexity is drawn.
describe('figures say what ran and where', () => {
  const modelKey = 'tiny|1|1';
  const int3 = { ...variant, id: 'v3', label: 'RTN 3-bit g32', spec: { method: 'rtn', options: { bits: 3, groupSize: 32 } }, storage: 'simulated', format: 'simulated (f32): no onnxruntime op runs 3-bit weights', bitsPerWeight: 4, modelKey } as unknown as StoredVariant;
  const evalOf = (variantId: string, variantLabel: string, form: 'packed' | 'simulated', ppl: number, formReason?: string) => ({
    modelKey, variantLabel, modelId: 'm', variantId, form, ...(formReason ? { formReason } : {}), wasmThreads: 2,
    settings: { backend: 'wasm', tokens: 64, context: 32, stride: 32, throughputRuns: 2 },
    perplexity: { ppl, meanNll: 1, tokensScored: 64, windows: 2, dataset: 'brown test', context: 32, stride: 32, backend: 'wasm', seconds: 1 },
    throughput: { backend: 'wasm', batch: 1, seqLen: 32, warmup: 1, runs: 2, medianMs: 1, p90Ms: 1, tokensPerS: 900 },
    ...(variantId === 'baseline' ? {} : { kl: { mean: 0.01, median: 0.01, p99: 0.1, max: 0.2, top1: 0.9, deltaP: { mean: 0, p1: 0, p5: 0, p50: 0, p95: 0, p99: 0 }, pplRatio: 1.1, tokens: 64, basePpl: 10 } }),
    finishedAt: 't',
  });
  const speedOf = (variantId: string, variantLabel: string) => ({ ...speed('packed'), modelKey, variantId, variantLabel, backend: 'wasm' as const, wasmThreads: 2, adapter: undefined, runId: 'r1' });
  const baseEval = evalOf('baseline', 'baseline', 'packed', 10) as unknown as StoredEval;
  const int3Eval = evalOf('v3', 'RTN 3-bit g32', 'simulated', 12, 'stored as simulated (f32): no onnxruntime op runs 3-bit weights') as unknown as StoredEval;
  // the panels' rows (a static render reads the store's initial state, so they are handed in here)
  const setResults = () => {
    shown.rows = [
      { key: 'baseline', label: 'baseline', evals: { wasm: baseEval }, speeds: { wasm: speedOf('baseline', 'baseline') } },
      { key: 'v3', label: 'RTN 3-bit g32', variant: int3, evals: { wasm: int3Eval }, speeds: { wasm: speedOf('v3', 'RTN 3-bit g32') } },
    ];
  };

  it('the baseline card: its throughput names the model and the WASM threads', async () => {
    setResults();
    const { BaselineCard } = await import('./BaselineCard');
    expect(text(renderToStaticMarkup(createElement(BaselineCard)))).toContain('900 tokens/s prefill during the evaluation (source model · WASM, 2 threads;');
  });

  it('the speed vs perplexity panel: the form each dot ran as, the threads, the 3-bit dot marked', async () => {
    setResults();
    const { SpeedPplPanel } = await import('../panels/SpeedPplPanel');
    const t = text(renderToStaticMarkup(createElement(SpeedPplPanel)));
    expect(t).toContain('Speed: WASM, 2 threads, prefill batch 1 × 64 tokens');
    expect(t).toContain('as run: baseline source model, RTN 3-bit g32 simulated (f32).');
  });

  it('the bit-width curve and the KL table mark the 3-bit variant simulated', async () => {
    setResults();
    const { bitWidthPoints } = await import('../panels/BitWidthPanel');
    const row = shown.rows[1];
    expect(bitWidthPoints([{ row, eval: int3Eval }]).map((p) => p.label)).toEqual(['RTN 3-bit g32 (simulated f32)']);
    const { KlTable } = await import('./KlTable');
    const kl = renderToStaticMarkup(createElement(KlTable, { rows: [row], settingsKey: 'brown test|64|32|32' }));
    expect(text(kl)).toContain('WASM, simulated (f32), 64 tokens');
    expect(kl).toContain('title="stored as simulated (f32): no onnxruntime op runs 3-bit weights"');
  });

  it('a generation and the live demo say what wrote the text and where', async () => {
    const { GenerationItem } = await import('./GenerationPanel');
    const g = {
      modelKey, variantLabel: 'RTN 3-bit g32', modelId: 'm', variantId: 'v3', form: 'simulated', formReason: 'stored as 3-bit', settings: { backend: 'wasm', prompt: 'The', maxNewTokens: 2 },
      promptTokens: 1, tokens: [1, 2], text: ' jury', decode: 'prefill per token (no KV cache)', msPerToken: { median: 10, p90: 12, firstMs: 30 }, tokensPerS: 100, wasmThreads: 2, finishedAt: 't',
    } as never;
    expect(text(renderToStaticMarkup(createElement(GenerationItem, { g, variant: int3 })))).toContain('RTN 3-bit g32 (simulated (f32) · WASM, 2 threads, 100.0 tok/s)');
    const { Answer } = await import('../panels/LiveDemo');
    const a = { ppl: 12, tokensScored: 64, dataset: 'd', context: 32, prompt: 'The', text: ' jury', newTokens: 2, tokensPerS: 50, form: 'simulated', formReason: 'stored as 3-bit', backend: 'webgpu' as const, wasmThreads: 2, adapter: 'SwiftShader' };
    expect(text(renderToStaticMarkup(createElement(Answer, { title: 'RTN 3-bit', a, testId: 'variant' })))).toContain('simulated (f32) · 50.0 tokens/s writing · WebGPU, adapter SwiftShader');
  });
});
