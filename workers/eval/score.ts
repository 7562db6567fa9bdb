/**
 * Sliding-window scoring through the evaluation graph (scored-graph.ts): each window's per-row
 * outputs (NLL, top-1, and against the base: KL, base NLL, base top-1) are cut to the rows that
 * score a token and concatenated, so what is kept is a few numbers per token, never the logits.
 * Runtime-free: the caller's RunScored runs one window on its own ONNX Runtime.
 */
import { checkWindowSettings, slidingWindows, type WindowSettings } from './windows';

/** Per-row outputs of one window (length = window length); head = the first rows' logits, when asked. */
export interface RowScores {
  nll: Float32Array;
  top1: Int32Array;
  baseNll?: Float32Array;
  baseTop1?: Int32Array;
  kl?: Float32Array;
  head?: { logits: Float32Array; rows: number; vocab: number };
  /** bytes of every output read back to JS for this window */
  bytes: number;
}

/** Runs the evaluation graph on ids (batch 1) with targets[t] = the token after row t. */
export type RunScored = (ids: BigInt64Array, targets: BigInt64Array, wantHead: boolean) => Promise<RowScores>;

/** Per scored token, in stream order. */
export interface TokenScores {
  /** stream position of the scored token */
  positions: Int32Array;
  /** index of the window that scored it */
  window: Int32Array;
  windows: number;
  nll: Float32Array;
  top1: Int32Array;
  baseNll?: Float32Array;
  baseTop1?: Int32Array;
  kl?: Float32Array;
  /** the first window's first rows of logits (the backend-agreement check), with their stream positions */
  head?: { logits: Float32Array; rows: number; vocab: number; firstPosition: number };
  /** bytes read back to JS by the scoring (the head excluded: it is a one-window check) */
  readbackBytes: number;
  headBytes: number;
}

export interface ScoreHooks {
  beforeWindow?: (index: number, total: number) => void | Promise<void>;
  afterWindow?: (index: number, total: number, sumNll: number, count: number) => void;
}

export async function scoreWindows(ids: ArrayLike<number>, settings: WindowSettings, run: RunScored, hooks: ScoreHooks = {}): Promise<TokenScores> {
  const bad = checkWindowSettings(settings);
  if (bad) throw new Error(bad);
  if (ids.length < settings.tokens) throw new Error(`asked for ${settings.tokens} tokens, the stream has ${ids.length}`);
  const windows = slidingWindows(settings);
  const n = windows.reduce((a, w) => a + (w.end - w.scoreFrom), 0);
  const out: TokenScores = {
    positions: new Int32Array(n), window: new Int32Array(n), windows: windows.length,
    nll: new Float32Array(n), top1: new Int32Array(n), readbackBytes: 0, headBytes: 0,
  };
  let k = 0;
  let sum = 0;
  for (let i = 0; i < windows.length; i++) {
    await hooks.beforeWindow?.(i, windows.length);
    const w = windows[i];
    const len = w.end - w.begin;
    const input = new BigInt64Array(len);
    const targets = new BigInt64Array(len);
    for (let t = 0; t < len; t++) {
      input[t] = BigInt(ids[w.begin + t]);
      // the last row predicts a token outside the window: its target is a placeholder never read
      targets[t] = t + 1 < len ? BigInt(ids[w.begin + t + 1]) : 0n;
    }
    const r = await run(input, targets, i === 0);
    if (r.nll.length !== len) throw new Error(`window ${i}: ${r.nll.length} rows of scores for ${len} tokens`);
    if (r.head) {
      out.head = { ...r.head, firstPosition: w.begin + 1 };
      out.headBytes = r.head.logits.byteLength;
    }
    out.readbackBytes += r.bytes - (r.head?.logits.byteLength ?? 0);
    if (r.kl && !out.kl) {
      out.kl = new Float32Array(n);
      out.baseNll = new Float32Array(n);
      out.baseTop1 = new Int32Array(n);
    }
    for (let pos = w.scoreFrom; pos < w.end; pos++, k++) {
      const row = pos - 1 - w.begin;
      out.positions[k] = pos;
      out.window[k] = i;
      out.nll[k] = r.nll[row];
      out.top1[k] = r.top1[row];
      sum += r.nll[row];
      if (r.kl) {
        out.kl![k] = r.kl[row];
        out.baseNll![k] = r.baseNll![row];
        out.baseTop1![k] = r.baseTop1![row];
      }
    }
    hooks.afterWindow?.(i, windows.length, sum, k);
  }
  return out;
}
