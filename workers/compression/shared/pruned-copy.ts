/**
 * The pruned weights of a prune kernel that reads back only its mask (one byte a weight, 1 =
 * kept): a copy of the input with the pruned ones set to +0, as the TS references make them.
 * The GPU paths copy the input while their kernel runs and zero once the mask is back.
 * The zeroing is branchless (an AND with 0 or ~0 per weight, four mask bytes a load): at 50 %
 * random sparsity a branch per weight mispredicts half the time.
 */

/** Zero `weights[f]` (to +0) wherever `mask[f]` is 0; mask bytes are 0 or 1. */
export function zeroPruned(weights: Float32Array, mask: Uint8Array): void {
  const n = mask.length;
  const bits = new Int32Array(weights.buffer, weights.byteOffset, n);
  // four mask bytes a load where the mask starts on a word (the GPU paths' always does)
  const whole = mask.byteOffset % 4 === 0 ? n >> 2 : 0;
  const words = new Uint32Array(mask.buffer, whole > 0 ? mask.byteOffset : 0, whole);
  for (let w = 0; w < whole; w++) {
    const m = words[w];
    const f = w << 2;
    bits[f] &= 0 - (m & 1);
    bits[f + 1] &= 0 - ((m >>> 8) & 1);
    bits[f + 2] &= 0 - ((m >>> 16) & 1);
    bits[f + 3] &= 0 - (m >>> 24);
  }
  for (let f = whole << 2; f < n; f++) bits[f] &= 0 - mask[f];
}
