/**
 * What kind of language-model graph a file is, told from its inputs (no user flag), and the ONE
 * builder of the feeds for a prefill window, whatever the kind:
 *   prefill   input_ids [, attention_mask, position_ids] → logits     (our own export, most "model.onnx")
 *   kv-cache  the same plus past_key_values.N.key/value [, use_cache_branch] → logits, present.N.*
 *             (Optimum's decoder_model(_merged).onnx, transformers.js-ready repos): a prefill window
 *             feeds an empty past (past length 0), so it scores exactly like the prefill graph.
 * Shapes of the past come from the graph's own input metadata: (batch, heads, past, head_dim) with
 * batch → 1 and past → 0.
 */
export const GRAPH_KINDS = Object.freeze(['prefill', 'kv-cache'] as const);
export type GraphKind = (typeof GRAPH_KINDS)[number];

export const PREFILL_INPUTS = Object.freeze(['input_ids', 'attention_mask', 'position_ids', 'token_type_ids']);
export const PAST_INPUT = /^past_key_values\.\d+\.(key|value)$/;
const CACHE_BRANCH = 'use_cache_branch';

/** Inputs this engine cannot feed (empty when it can feed them all). */
export function unfeedableInputs(inputNames: readonly string[]): string[] {
  return inputNames.filter((n) => !PREFILL_INPUTS.includes(n) && !PAST_INPUT.test(n) && n !== CACHE_BRANCH);
}

export function graphKindOf(inputNames: readonly string[]): GraphKind {
  return inputNames.some((n) => PAST_INPUT.test(n)) ? 'kv-cache' : 'prefill';
}

export interface InputInfo {
  name: string;
  /** ORT's tensor type name, e.g. 'float32', 'float16', 'int64', 'bool' */
  type?: string;
  shape?: readonly (number | string)[];
}

/** Makes a tensor of the caller's runtime: (type, data, dims). */
export type MakeTensor<T> = (type: string, data: BigInt64Array | Float32Array | Uint16Array | Uint8Array, dims: number[]) => T;

/** The dims of an empty past for one input: `batch` rows (1 unless said), past length 0, the rest as the graph declares. */
export function emptyPastDims(input: InputInfo, batch = 1): number[] {
  const shape = input.shape ?? [];
  if (shape.length !== 4) throw new Error(`${input.name}: expected a 4-D past (batch, heads, past, head_dim), the graph declares [${shape.join(', ')}]`);
  return shape.map((d, i) => {
    if (i === 0) return batch;
    if (i === 2) return 0;
    if (typeof d === 'number' && d > 0) return d;
    throw new Error(`${input.name}: dimension ${i} is "${d}", not a number; the graph must declare heads and head size`);
  });
}

/** Feeds for one prefill window of `ids` at batch 1. */
export function prefillFeeds<T>(ids: BigInt64Array, inputs: readonly InputInfo[], make: MakeTensor<T>): Record<string, T> {
  return batchFeeds([ids], inputs, make);
}

/** Feeds for a batch of prefill windows of one length (rows of `ids`, stacked): the batch-scaling speed. */
export function batchFeeds<T>(rows: readonly BigInt64Array[], inputs: readonly InputInfo[], make: MakeTensor<T>): Record<string, T> {
  const b = rows.length;
  const n = rows[0].length;
  if (rows.some((r) => r.length !== n)) throw new Error('every row of a batch must have the same length');
  const ids = new BigInt64Array(b * n);
  rows.forEach((r, i) => ids.set(r, i * n));
  const feeds: Record<string, T> = { input_ids: make('int64', ids, [b, n]) };
  for (const input of inputs) {
    const name = input.name;
    if (name === 'attention_mask') feeds[name] = make('int64', new BigInt64Array(b * n).fill(1n), [b, n]);
    else if (name === 'token_type_ids') feeds[name] = make('int64', new BigInt64Array(b * n), [b, n]);
    else if (name === 'position_ids') feeds[name] = make('int64', BigInt64Array.from({ length: b * n }, (_, i) => BigInt(i % n)), [b, n]);
    else if (name === CACHE_BRANCH) feeds[name] = make('bool', new Uint8Array([0]), [1]);
    else if (PAST_INPUT.test(name)) {
      const dims = emptyPastDims(input, b);
      feeds[name] = input.type === 'float16' ? make('float16', new Uint16Array(0), dims) : make('float32', new Float32Array(0), dims);
    }
  }
  return feeds;
}
