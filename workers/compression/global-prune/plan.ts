/**
 * The pass over all tensors: the global k-th smallest |w| key T by a two-level radix count (the
 * high 15 bits of the 31-bit key, then the low 16 bits inside T's high bin), then the ties at T
 * handed out in tensor order, first flat index first. Three reads of every weight, no sort and no
 * copy, so it runs on the CPU in a second or two for the 124 M shape.
 */
import { pruneCount } from '../magnitude-prune/meta';
import type { GlobalPrunePlan } from './meta';

const LOW_BITS = 16;
const LOW_MASK = 0xffff;

/** Tensor i's values, read three times (a reader, so a model's tensors need not all be held at once). */
export type TensorReader = { count: number; read(i: number): Float32Array };

/** The plan of each tensor, in the order given. Tensors are read, never written. */
export function planGlobalPrune(source: readonly Float32Array[] | TensorReader, ratio: number): GlobalPrunePlan[] {
  const reader = Array.isArray(source) ? { count: source.length, read: (i: number) => source[i] } : (source as TensorReader);
  const indices = Array.from({ length: reader.count }, (_, i) => i);
  const tensors = { map: <T>(fn: (t: Float32Array) => T): T[] => indices.map((i) => fn(reader.read(i))) };
  const total = tensors.map((t) => t.length).reduce((a, n) => a + n, 0);
  const k = pruneCount(ratio, total);
  if (k === 0) return indices.map(() => ({ threshold: 0, cutEnd: 0 }));
  const bits = (t: Float32Array) => new Uint32Array(t.buffer, t.byteOffset, t.length);
  const high = new Float64Array(2 ** (31 - LOW_BITS));
  tensors.map((t) => {
    for (const b of bits(t)) high[(b & 0x7fffffff) >>> LOW_BITS]++;
  });
  const [hi, belowHi] = pick(high, k);
  const low = new Float64Array(2 ** LOW_BITS);
  tensors.map((t) => {
    for (const b of bits(t)) if ((b & 0x7fffffff) >>> LOW_BITS === hi) low[b & LOW_MASK]++;
  });
  const [lo, belowLo] = pick(low, k - belowHi);
  const threshold = (hi << LOW_BITS) | lo;
  let ties = k - belowHi - belowLo;
  return tensors.map((t) => {
    let cutEnd = 0;
    const b = bits(t);
    for (let f = 0; f < b.length && ties > 0; f++) {
      if ((b[f] & 0x7fffffff) === threshold) {
        ties--;
        cutEnd = f + 1;
      }
    }
    return { threshold, cutEnd };
  });
}

/** The bin holding the k-th smallest (1-based) and how many lie in the bins below it. */
function pick(counts: Float64Array, k: number): [number, number] {
  let below = 0;
  for (let bin = 0; bin < counts.length; bin++) {
    if (below + counts[bin] >= k) return [bin, below];
    below += counts[bin];
  }
  throw new Error(`global-prune: rank ${k} beyond the ${below} weights counted`);
}
