/**
 * What the Speed panel draws, from the stored batch-scaling and decode figures: which figures
 * were measured with identical settings (only those share a chart), one line per backend ×
 * model over the batch sizes, and where each figure was timed (WASM threads, WebGPU adapter;
 * a software adapter such as SwiftShader says its WebGPU figures are not a GPU's). Pure.
 */
import type { Backend, DecodeSpeedSettings, PrefillSpeedSettings } from '../../workers/api';
import type { StoredDecodeSpeed, StoredPrefillSpeed, StoredScaling } from '../store/scaling';
import { BACKEND_LABEL } from './plan';
import { plural } from './format';

/** The settings the Speed action uses unless told otherwise (issue 8: batch 1, 4, 8, 16 at seq 128; prompt 128, 64 new tokens; 5 timed runs). */
export const DEFAULT_SCALING = Object.freeze({ batches: Object.freeze([1, 4, 8, 16]), seqLen: 128, runs: 5, warmup: 1, promptTokens: 128, newTokens: 64 });

/** A WebGPU adapter that is the CPU in disguise (SwiftShader, llvmpipe, Microsoft Basic Render). */
export const isSoftwareAdapter = (name: string | undefined): boolean => !!name && /swiftshader|llvmpipe|software|basic render/i.test(name);

/** "WASM, 4 threads" or "WebGPU, adapter … (software adapter: not a GPU's speed)". */
export function scalingWhere(r: Pick<StoredScaling, 'wasmThreads' | 'adapter'> & { settings: { backend: Backend } }): string {
  if (r.settings.backend === 'wasm') return `WASM, ${plural(r.wasmThreads, 'thread')}`;
  return `WebGPU, adapter ${r.adapter ?? 'unknown'}${isSoftwareAdapter(r.adapter) ? ' (software adapter: this is the CPU, not a GPU\'s speed)' : ''}`;
}

export const prefillKey = (s: PrefillSpeedSettings) => `seq ${s.seqLen}|runs ${s.runs}|warm-up ${s.warmup ?? 1}`;
export const prefillLabel = (s: PrefillSpeedSettings) => `${s.seqLen} tokens a row, median of ${plural(s.runs, 'timed run')} after ${plural(s.warmup ?? 1, 'warm-up')}`;
export const decodeKey = (r: Pick<StoredDecodeSpeed, 'settings' | 'decode' | 'graph'>) => {
  const s: DecodeSpeedSettings = r.settings;
  return `prompt ${s.promptTokens}|new ${s.newTokens}|runs ${s.runs}|warm-up ${s.warmup ?? 1}|${r.decode}${r.graph ? `|${r.graph}` : ''}`;
};
export const decodeLabel = (r: Pick<StoredDecodeSpeed, 'settings' | 'decode' | 'graph'>) =>
  `${r.settings.promptTokens}-token prompt then ${r.settings.newTokens} new tokens (${r.decode}${r.graph ? `, ${r.graph}` : ''}), median of ${plural(r.settings.runs, 'timed run')} after ${plural(r.settings.warmup ?? 1, 'warm-up')}`;

export interface FigureGroup<T> {
  key: string;
  label: string;
  figures: T[];
}

/** Figures by identical settings; the groups holding the baseline and the most figures first. */
export function groupFigures<T extends StoredScaling>(list: readonly T[], keyOf: (r: T) => string, labelOf: (r: T) => string): FigureGroup<T>[] {
  const groups = new Map<string, FigureGroup<T>>();
  for (const r of list) {
    const key = keyOf(r);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, label: labelOf(r), figures: [] }));
    g.figures.push(r);
  }
  const base = (g: FigureGroup<T>) => (g.figures.some((f) => f.variantId === 'baseline') ? 1 : 0);
  return [...groups.values()].sort((a, b) => base(b) - base(a) || b.figures.length - a.figures.length || a.key.localeCompare(b.key));
}

export const prefillGroups = (list: readonly StoredScaling[]) =>
  groupFigures(list.filter((r): r is StoredPrefillSpeed => r.kind === 'prefill'), (r) => prefillKey(r.settings), (r) => prefillLabel(r.settings));
export const decodeGroups = (list: readonly StoredScaling[]) =>
  groupFigures(list.filter((r): r is StoredDecodeSpeed => r.kind === 'decode'), decodeKey, decodeLabel);

export interface BatchSeries {
  /** backend|variantId */
  id: string;
  backend: Backend;
  variantId: string;
  label: string;
  /** by batch, ascending: tokens/s of the median run and of the p90 (slow) run */
  points: { batch: number; tokS: number; p90TokS: number }[];
}

/** One line per backend × model over the batch sizes of one settings group. */
export function batchSeries(figures: readonly StoredPrefillSpeed[]): BatchSeries[] {
  const lines = new Map<string, BatchSeries>();
  for (const f of figures) {
    const b = f.settings.backend;
    const id = `${b}|${f.variantId}`;
    let s = lines.get(id);
    if (!s) lines.set(id, (s = { id, backend: b, variantId: f.variantId, label: `${f.variantLabel} · ${BACKEND_LABEL[b]}`, points: [] }));
    const rowTokens = f.settings.batch * f.settings.seqLen;
    s.points.push({ batch: f.settings.batch, tokS: f.tokensPerS, p90TokS: rowTokens / (f.p90Ms / 1000) });
  }
  for (const s of lines.values()) s.points.sort((a, b) => a.batch - b.batch);
  const base = (s: BatchSeries) => (s.variantId === 'baseline' ? 0 : 1);
  return [...lines.values()].sort((a, b) => base(a) - base(b) || a.label.localeCompare(b.label));
}

/** The distinct places a group's figures were timed, per backend; more than one per backend is worth a warning. */
export function placesOf(figures: readonly StoredScaling[]): Partial<Record<Backend, string[]>> {
  const out: Partial<Record<Backend, string[]>> = {};
  for (const f of figures) {
    const list = (out[f.settings.backend] ??= []);
    const w = scalingWhere(f);
    if (!list.includes(w)) list.push(w);
  }
  return out;
}

export interface DecodeBar {
  /** backend|variantId */
  id: string;
  backend: Backend;
  variantId: string;
  /** model · backend · how stored · threads or adapter · runs */
  label: string;
  /** tokens/s of the median run, and the slowest and fastest timed runs */
  tokS: number;
  lo: number;
  hi: number;
  /** "57.5 tok/s (runs 52.1–60.3)" */
  value: string;
}

const tokS = (x: number) => x.toFixed(x < 100 ? 1 : 0);

/** "2 threads" or the adapter's name (shortened; "software: CPU" for SwiftShader and alike): the short place beside a bar (the table has the long one). */
function placeShort(f: StoredDecodeSpeed): string {
  if (f.settings.backend === 'wasm') return plural(f.wasmThreads, 'thread');
  const name = f.adapter ?? 'unknown';
  return `${name.length > 24 ? `${name.slice(0, 23)}…` : name}${isSoftwareAdapter(f.adapter) ? ' (software: CPU)' : ''}`;
}

/** One bar per decode figure of a group: baseline first, then by label; WASM before WebGPU. Spread = slowest to fastest timed run. */
export function decodeBars(figures: readonly StoredDecodeSpeed[]): DecodeBar[] {
  const order = (f: StoredDecodeSpeed) => (f.variantId === 'baseline' ? 0 : 1);
  return [...figures]
    .sort((a, b) => order(a) - order(b) || a.variantLabel.localeCompare(b.variantLabel) || a.settings.backend.localeCompare(b.settings.backend))
    .map((f) => {
      const runs = f.runsTokS.length ? f.runsTokS : [f.tokensPerS];
      const lo = Math.min(...runs);
      const hi = Math.max(...runs);
      return {
        id: `${f.settings.backend}|${f.variantId}`,
        backend: f.settings.backend,
        variantId: f.variantId,
        label: [f.variantLabel, BACKEND_LABEL[f.settings.backend], f.storage ?? 'form not recorded', placeShort(f), plural(f.settings.runs, 'run')].join(' · '),
        tokS: f.tokensPerS,
        lo,
        hi,
        value: `${tokS(f.tokensPerS)} tok/s (runs ${tokS(lo)}–${tokS(hi)})`,
      };
    });
}
