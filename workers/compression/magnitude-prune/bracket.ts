/**
 * magnitude-prune's threshold by bracketing (gpu.ts runs the passes): a sample of the weights'
 * |w| keys, taken and sorted on the CPU, gives a range [lo, hi] that holds the k-th smallest key T
 * with near certainty and about 2 % of the keys; one GPU pass counts the keys below and inside it
 * (bracket.wgsl, mode 0), a second gathers the ones inside with their flat indices (mode 1), and rankInBracket finds T and the tie cut among those few, exactly as the
 * reference does over all keys. When the bracket misses T (a sample can mislead) or holds too
 * many keys (heavy ties: a constant tensor), the digit passes run instead: same result, slower.
 */
import { seededRandom } from '../../seeded-random';

/** Keys sampled; the bracket spans about 8 standard deviations of the sampled rank (~2.3 % of the keys at k = n / 2). */
const SAMPLE = 32_768;
const SIGMAS = 4;
const MAX_KEY = 0x7fffffff;

export interface Bracket {
  lo: number;
  hi: number;
}

/** A key range likely to hold the k-th smallest |w| key of `data` (k >= 1); exact (lo = hi = T) when the tensor is no larger than the sample. */
export function sampleBracket(data: Float32Array, k: number): Bracket {
  const n = data.length;
  const bits = new Uint32Array(data.buffer, data.byteOffset, n);
  const m = Math.min(n, SAMPLE);
  const sample = new Uint32Array(m);
  if (m === n) {
    for (let f = 0; f < n; f++) sample[f] = bits[f] & MAX_KEY;
  } else {
    const rand = seededRandom(n ^ (k * 2654435761));
    for (let j = 0; j < m; j++) sample[j] = bits[Math.floor(rand() * n)] & MAX_KEY;
  }
  sample.sort();
  if (m === n) return { lo: sample[k - 1], hi: sample[k - 1] };
  const p = k / n;
  const at = p * m;
  const margin = SIGMAS * Math.sqrt(m * p * (1 - p)) + 8;
  const i0 = Math.floor(at - margin);
  const i1 = Math.ceil(at + margin);
  return { lo: i0 < 0 ? 0 : sample[i0], hi: i1 >= m ? MAX_KEY : sample[i1] };
}

/** Keys in the bracket this many or fewer are ranked on the CPU; more go to the digit passes. */
export function bracketCap(n: number): number {
  return Math.max(65_536, n >> 3);
}

/**
 * T and the cut from the bracket's keys: `found` holds (key, flat index) pairs in any order,
 * `below` keys lie under the bracket, and below < k <= below + pairs. Keys below T are pruned,
 * and of the keys equal to T (all inside the bracket) the first k - #below(T) by flat index:
 * those before `cutEnd`.
 */
export function rankInBracket(found: Uint32Array, below: number, k: number): { threshold: number; cutEnd: number } {
  const m = found.length / 2;
  const keys = new Uint32Array(m);
  for (let j = 0; j < m; j++) keys[j] = found[2 * j];
  keys.sort();
  const rank = k - below;
  const threshold = keys[rank - 1];
  let less = 0;
  while (keys[less] < threshold) less++;
  const ties: number[] = [];
  for (let j = 0; j < m; j++) if (found[2 * j] === threshold) ties.push(found[2 * j + 1]);
  const order = Uint32Array.from(ties).sort();
  return { threshold, cutEnd: order[rank - less - 1] + 1 };
}
