// magnitude-prune, select pass (after each count pass): one workgroup adds up the threads'
// counts per pivot and moves `low` to the last pivot with fewer than k keys below it.
// Thread i adds pivot (i % 16) over a 16th of the count threads; thread 0 adds the 16 sums of
// each pivot.

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> partials: array<u32>;   // (threads, 16)
@group(0) @binding(2) var<storage, read_write> state: SelectState;

const SELECT_WORKGROUP_SIZE: u32 = 256u;
const SLICES: u32 = SELECT_WORKGROUP_SIZE / 16u;

var<workgroup> sums: array<u32, SELECT_WORKGROUP_SIZE>;

@compute @workgroup_size(SELECT_WORKGROUP_SIZE)
fn main(@builtin(local_invocation_index) lid: u32) {
  let pivot = lid % 16u;
  var sum = 0u;
  for (var t = lid / 16u; t < sizes.threads; t += SLICES) { sum += partials[t * 16u + pivot]; }
  sums[lid] = sum;
  workgroupBarrier();
  if (lid != 0u) { return; }
  // below(pivot j) grows with j; below(pivot 0) = state.below < k
  var chosen = 0u;
  var below = state.below;
  for (var j = 0u; j < PIVOTS; j++) {
    var c = 0u;
    for (var s = 0u; s < SLICES; s++) { c += sums[s * 16u + j]; }
    if (c < state.k) {
      chosen = j + 1u;
      below = c;
    }
  }
  state.low += chosen << digit_shift(state.digit);
  state.below = below;
  state.digit += 1u;
}
