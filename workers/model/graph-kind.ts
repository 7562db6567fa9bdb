/**
 * What kind of language-model graph a file is, told from its inputs (no user flag), and the ONE
 * builder of the feeds for a prefill window, whatever the kind:
 *   prefill   input_ids [, attention_mask, position_ids] → logits     (our own export, most "model.onnx")
 *   kv-cache  the same plus past_key_values.N.key/value [, use_cache_branch] → logits, present.N.*
 *             (Optimum's decoder_model(_merged).onnx, transformers.js-ready repos): a prefill window
 *             feeds an empty past (past length 0), so it scores exactly like the prefill graph.
 * Shapes of the past come from the graph's own input metadata: (batch, heads, past, head_dim) with
 * batch → 1 and past → 0.
 * Other inputs published decoders have, told from their declared shapes:
 *   position_ids of rank 3, e.g. (3, batch, seq) in multimodal-RoPE models (Qwen2-VL's mrope): for
 *     text every row holds the same positions 0, 1, …;
 *   logits_to_keep / num_logits_to_keep (a scalar, or shape [1]): fed 0, which keeps every
 *     position's logits (Hugging Face's slice(-0, None)).
 */
export const GRAPH_KINDS = Object.freeze(['prefill', 'kv-cache'] as const);
export type GraphKind = (typeof GRAPH_KINDS)[number];

export const PREFILL_INPUTS = Object.freeze(['input_ids', 'attention_mask', 'position_ids', 'token_type_ids', 'logits_to_keep', 'num_logits_to_keep']);
const KEEP_INPUTS = new Set(['logits_to_keep', 'num_logits_to_keep']);
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

/**
 * position_ids for `b` rows of `n` positions starting at `from`: (b, n), or (k, b, n) when the
 * graph declares rank 3 (k from the graph, 3 when it names the dimension instead).
 */
export function positionFeed<T>(input: InputInfo, b: number, n: number, from: number, make: MakeTensor<T>): T {
  const shape = input.shape ?? [];
  const rows = shape.length === 3 ? (typeof shape[0] === 'number' && shape[0] > 0 ? shape[0] : 3) : 1;
  if (shape.length > 3) throw new Error(`${input.name}: expected rank 2 (batch, seq) or 3 (sections, batch, seq), the graph declares [${shape.join(', ')}]`);
  const data = BigInt64Array.from({ length: rows * b * n }, (_, i) => BigInt(from + (i % n)));
  return make('int64', data, shape.length === 3 ? [rows, b, n] : [b, n]);
}

/** logits_to_keep = 0: every position's logits, as a scalar or [1] as the graph declares it. */
function keepAllFeed<T>(input: InputInfo, make: MakeTensor<T>): T {
  return make('int64', new BigInt64Array(1), (input.shape ?? []).length === 1 ? [1] : []);
}

/**
 * Feeds for one decode step of a KV-cache decoder, all but the past: token `next` at position
 * `total − 1` of a sequence now `total` long.
 */
export function decodeStepFeeds<T>(next: number, total: number, inputs: readonly InputInfo[], make: MakeTensor<T>): Record<string, T> {
  const feeds: Record<string, T> = { input_ids: make('int64', BigInt64Array.from([BigInt(next)]), [1, 1]) };
  for (const m of inputs) {
    if (m.name === 'attention_mask') feeds[m.name] = make('int64', new BigInt64Array(total).fill(1n), [1, total]);
    else if (m.name === 'position_ids') feeds[m.name] = positionFeed(m, 1, 1, total - 1, make);
    else if (m.name === CACHE_BRANCH) feeds[m.name] = make('bool', new Uint8Array([1]), [1]);
    else if (m.name === 'token_type_ids') feeds[m.name] = make('int64', new BigInt64Array(1), [1, 1]);
    else if (KEEP_INPUTS.has(m.name)) feeds[m.name] = keepAllFeed(m, make);
  }
  return feeds;
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
    else if (name === 'position_ids') feeds[name] = positionFeed(input, b, n, 0, make);
    else if (KEEP_INPUTS.has(name)) feeds[name] = keepAllFeed(input, make);
    else if (name === CACHE_BRANCH) feeds[name] = make('bool', new Uint8Array([0]), [1]);
    else if (PAST_INPUT.test(name)) {
      const dims = emptyPastDims(input, b);
      feeds[name] = input.type === 'float16' ? make('float16', new Uint16Array(0), dims) : make('float32', new Float32Array(0), dims);
    }
  }
  return feeds;
}
