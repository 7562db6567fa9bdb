/**
 * The lab's own decode loop for a KV-cache decoder (past_key_values.N.* → present.N.*): the prompt
 * runs once with an empty past, then each new token runs alone, fed the previous step's present
 * tensors as its past — the way a deployed model writes, and what "decode tokens/s" measures.
 * The attention mask covers past + new tokens; a merged decoder's use_cache_branch is true after
 * the first step.
 */
import { decodeStepFeeds, prefillFeeds, PAST_INPUT, type InputInfo } from '../model/graph-kind';
import { runFeeds, type SessionHandle } from './ort-runtime';

type Tensor = Parameters<typeof runFeeds>[1][string];

export const hasKvCache = (h: SessionHandle) => h.inputNames.some((n) => PAST_INPUT.test(n));

export interface DecodeStep {
  /** the last position's logits */
  row: Float32Array;
  ms: number;
}

/**
 * Runs the prompt, then `steps` single-token steps; `pick` chooses each next token from the last
 * row of logits. Returns the new tokens and each run's time (the prompt's first).
 */
export async function kvDecode(h: SessionHandle, prompt: readonly number[], steps: number, pick: (row: Float32Array) => number, onToken?: (i: number) => Promise<void>): Promise<{ tokens: number[]; promptMs: number; stepMs: number[] }> {
  const ort = h.ort;
  const meta = h.session.inputMetadata as readonly InputInfo[];
  const make = (type: string, data: BigInt64Array | Float32Array | Uint16Array | Uint8Array, dims: number[]) => new ort.Tensor(type as 'float32', data as Float32Array, dims) as Tensor;
  const pastNames = h.inputNames.filter((n) => PAST_INPUT.test(n));
  const presentOf = (past: string) => past.replace('past_key_values.', 'present.');
  const outNames = ['logits', ...pastNames.map(presentOf)];
  const lastRow = (t: Tensor) => {
    const data = t.data as Float32Array;
    const vocab = t.dims[t.dims.length - 1];
    const seq = t.dims.length === 3 ? t.dims[1] : 1;
    return data.subarray((seq - 1) * vocab, seq * vocab);
  };
  const ids = BigInt64Array.from(prompt, (x) => BigInt(x));
  const first = await runFeeds(h, prefillFeeds(ids, meta, make) as Record<string, Tensor>, outNames);
  let out = first.out;
  let total = prompt.length;
  const tokens: number[] = [];
  const stepMs: number[] = [];
  for (let i = 0; i < steps; i++) {
    const next = pick(lastRow(out.logits));
    tokens.push(next);
    if (onToken) await onToken(i);
    if (i === steps - 1) break;
    total += 1;
    const feeds = decodeStepFeeds(next, total, meta, make);
    for (const p of pastNames) feeds[p] = out[presentOf(p)];
    const step = await runFeeds(h, feeds, outNames);
    out = step.out;
    stepMs.push(step.ms);
  }
  return { tokens, promptMs: first.ms, stepMs };
}
