/**
 * Evaluation of one model (baseline or variant) on one backend: perplexity over the first
 * `tokens` dataset tokens by the sliding-window method (windows.ts), scored inside the model's own
 * graph (scored-graph.ts: a few numbers per token come back, never the logits); a variant with a
 * base is scored in one graph with it (KL, top-1 agreement, Δp). Then prefill throughput (one
 * warm-up, then `throughputRuns` timed runs of one full window of `context` tokens).
 * Progress per window with an ETA; cancellation checked between windows and runs.
 */
import type { EvalSettings, KlStats, PerplexityResult, ThroughputResult } from '../api';
import { labError } from '../errors';
import type { Job } from '../jobs';
import { getSession, runLogits, runScored } from './ort-runtime';
import { scoreWindows, type TokenScores } from './score';
import { pairModel, scoredModel } from './scored-graph';
import { klStats, perplexityStats } from './stats';
import { checkWindowSettings, medianP90, slidingWindows } from './windows';

const MAX_THROUGHPUT_RUNS = 100;

export interface EvalTarget {
  /** changes whenever the bytes change, e.g. `${modelId}|${variantId}` */
  key: string;
  getBytes: () => Uint8Array;
  /** the dataset token stream */
  ids: Int32Array;
  datasetName: string;
  /** the model's context limit (0 = unknown) */
  nPositions: number;
  /** UTF-8 bytes per token id (token-bytes.ts), for bits per byte */
  tokenBytes: ArrayLike<number>;
  /** the BOS handling, in words */
  bos: string;
  /** the base model's bytes: the target is then scored against it (KL, agreement) */
  base?: () => Uint8Array;
}

/** Throws 'BadOption' naming the problem and the valid range. */
export function validateSettings(s: EvalSettings, t: Pick<EvalTarget, 'ids' | 'nPositions'>): void {
  const bad = (m: string) => labError('BadOption', m);
  if (s.backend !== 'webgpu' && s.backend !== 'wasm') throw bad(`backend must be one of webgpu, wasm; got "${s.backend}"`);
  const problem = checkWindowSettings(s);
  if (problem) throw bad(problem);
  if (s.tokens > t.ids.length) throw bad(`tokens must be <= ${t.ids.length} (the dataset's length), got ${s.tokens}`);
  if (t.nPositions > 0 && s.context > t.nPositions) throw bad(`context must be <= ${t.nPositions} (the model's n_positions), got ${s.context}`);
  if (!Number.isInteger(s.throughputRuns) || s.throughputRuns < 0 || s.throughputRuns > MAX_THROUGHPUT_RUNS) {
    throw bad(`throughputRuns must be an integer in [0, ${MAX_THROUGHPUT_RUNS}], got ${s.throughputRuns}`);
  }
}

export interface TargetResult {
  perplexity: PerplexityResult;
  throughput: ThroughputResult;
  kl?: KlStats;
  /** per-token scores, for the backend-agreement check */
  scores: TokenScores;
}

export async function evaluateTarget(t: EvalTarget, s: EvalSettings, job: Job): Promise<TargetResult> {
  validateSettings(s, t);
  job.progress('session', 0, 1, `starting ${s.backend} session`);
  const base = t.base;
  const scoredKey = base ? `${t.key}|pair` : `${t.key}|scored`;
  // on WASM the NLL is scored by ReduceLogSumExp: alone, no tensors of the logits' size besides them (scored-graph.ts)
  const form = { logSumExp: s.backend === 'wasm' };
  const scorer = await getSession(scoredKey, s.backend, () => (base ? pairModel(base(), t.getBytes(), form) : scoredModel(t.getBytes(), form)));
  job.check();

  const total = slidingWindows(s).length;
  job.progress('perplexity', 0, total);
  const t0 = performance.now();
  const scores = await scoreWindows(t.ids, s, (ids, targets, head) => runScored(scorer, ids, targets, head), {
    beforeWindow: () => job.checkpoint(),
    afterWindow: (i, n, sum, count) => job.progress('perplexity', i + 1, n, `ppl so far ${Math.exp(sum / count).toFixed(3)}`),
  });
  const seconds = (performance.now() - t0) / 1000;
  const perplexity: PerplexityResult = {
    ...perplexityStats(scores, t.ids, t.tokenBytes),
    dataset: t.datasetName,
    context: s.context,
    stride: s.stride,
    backend: s.backend,
    seconds,
    bos: t.bos,
    readback: { bytes: scores.readbackBytes, perToken: scores.readbackBytes / scores.nll.length, checkBytes: scores.headBytes },
  };
  const kl = scores.kl ? klStats(scores) : undefined;
  const throughput = await timePrefill(t, s, job);
  return { perplexity, throughput, ...(kl ? { kl } : {}), scores };
}

/** Prefill throughput of the model alone (not the evaluation graph): one warm-up, then the timed runs. */
async function timePrefill(t: EvalTarget, s: EvalSettings, job: Job): Promise<ThroughputResult> {
  const seqLen = Math.min(s.context, t.ids.length);
  const window = BigInt64Array.from(t.ids.subarray(0, seqLen), (v) => BigInt(v));
  const runs = s.throughputRuns;
  // the plain model's session only when timing is asked for: it is a second session per model
  const session = runs > 0 ? await getSession(t.key, s.backend, t.getBytes) : undefined;
  // No timed runs asked for: skip the warm-up too (on a software WebGPU adapter it costs a window).
  const warmup = runs > 0 ? 1 : 0;
  const times: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    await job.checkpoint();
    const { ms } = await runLogits(session!, window);
    if (i >= warmup) times.push(ms);
    job.progress('throughput', i + 1, warmup + runs);
  }
  const { median, p90 } = times.length ? medianP90(times) : { median: NaN, p90: NaN };
  return {
    backend: s.backend,
    batch: 1,
    seqLen,
    warmup,
    runs,
    medianMs: median,
    p90Ms: p90,
    tokensPerS: times.length ? (seqLen * 1000) / median : NaN,
  };
}
