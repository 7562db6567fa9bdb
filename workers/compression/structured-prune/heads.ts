/**
 * structured-prune over attention heads, in plain TS: the head norms (the twin of gpu.ts's channel
 * sums, same f32 arithmetic) and the channel masks a choice of heads gives each projection.
 *
 * A head's score is the squared L2 norm of every weight that only it uses: its head-size columns
 * of Q, K and V (and those entries of their biases) and its head-size rows of the output
 * projection, summed in that order in f32. A head whose output-projection rows are zero adds
 * nothing to the block, whatever its Q/K/V, so these are exactly the weights removing it deletes.
 * With grouped-query attention (fewer K/V heads than Q heads) the unit is a whole KV group: one K
 * head, one V head and the Q heads that read them (contiguous: query head h reads KV head
 * floor(h / group)), so K/V heads are removed together with their queries and the grouping stays
 * regular (repeat_kv still repeats each KV head the same number of times).
 */
import type { NeuronView } from './reference';

/** `count` units of `width` consecutive channels from channel `offset`, each channel a NeuronView neuron. */
export interface UnitView extends NeuronView {
  width: number;
  offset: number;
}

/**
 * A unit's squared norm in two levels: each channel's Σ_k w² alone (weights in index order), then
 * the unit's channel sums in channel order, every square and sum rounded to f32. The channel sums
 * are independent, so the GPU computes them a thread per channel (or per 4 neighbouring channels)
 * instead of a thread walking a whole head's 49,152 weights (768 × 64) in one chain; with one
 * channel a unit (an MLP neuron) it is the plain sum. unitSumsOfChannels is the second level, the
 * same function on both paths.
 */
export function unitSumSquares(data: Float32Array, view: UnitView): Float32Array {
  const out = new Float32Array(view.count);
  const f = Math.fround;
  for (let u = 0; u < view.count; u++) {
    let acc = 0;
    for (let c = 0; c < view.width; c++) {
      const channel = view.offset + u * view.width + c;
      let s = 0;
      for (let k = 0; k < view.len; k++) {
        const x = data[channel * view.strideNeuron + k * view.strideElem];
        s = f(s + f(x * x));
      }
      acc = f(acc + s);
    }
    out[u] = acc;
  }
  return out;
}

/** `count` units of `width` consecutive channel sums each: their sum in channel order, in f32 (unitSumSquares' second level). */
export function unitSumsOfChannels(channelSums: Float32Array, count: number, width: number): Float32Array {
  if (width === 1) return channelSums.slice(0, count);
  const out = new Float32Array(count);
  for (let u = 0; u < count; u++) {
    let acc = 0;
    for (let c = 0; c < width; c++) acc = Math.fround(acc + channelSums[u * width + c]);
    out[u] = acc;
  }
  return out;
}

/** A bias's entries summed per unit the same way (len 1, stride 1). */
export function unitBiasSquares(bias: Float32Array, units: number, width: number, offset: number): Float32Array {
  return unitSumSquares(bias, { count: units, len: 1, strideNeuron: 1, strideElem: 0, width, offset });
}

/**
 * Channel keep-mask of `channels` channels where units of `width` channels start at `offset` (one
 * segment: Q, K or V); channels outside every segment given stay. Several segments (a fused
 * q|k|v weight) fill the same mask.
 */
export function channelMask(channels: number, segments: readonly { offset: number; width: number }[], keepUnits: Uint8Array): Uint8Array {
  const mask = new Uint8Array(channels).fill(1);
  for (const s of segments) {
    for (let u = 0; u < keepUnits.length; u++) {
      if (keepUnits[u]) continue;
      mask.fill(0, s.offset + u * s.width, s.offset + (u + 1) * s.width);
    }
  }
  return mask;
}
