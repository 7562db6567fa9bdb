// magnitude-prune, bracket pass: per count thread (the layout of pivot-count.wgsl), how many of
// its keys lie below `lo` and how many in [lo, hi]. gpu.ts picks the bracket from a sample of the
// weights so that it holds the k-th smallest key T and few others; then the keys inside it are
// all that is left to rank (bracket-gather.wgsl), one read of the weights instead of the 8
// digit passes. Two compares and adds an element: no histogram bins, no atomics.

struct Bracket {
  lo: u32,
  hi: u32,
}

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> w: array<u32>;                 // f32 bits (n)
@group(0) @binding(2) var<uniform> bracket: Bracket;
@group(0) @binding(3) var<storage, read_write> counts: array<vec2<u32>>; // (threads): below lo, inside

@compute @workgroup_size(COUNT_WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let group = linear_workgroup(wid, nwg);
  let t = (sizes.span_base + group) * COUNT_WORKGROUP_SIZE + lid;
  if (t >= sizes.threads) { return; }
  var below = 0u;
  var inside = 0u;
  let stop = min(group * SPAN + SPAN, sizes.n);
  for (var f = group * SPAN + lid; f < stop; f += COUNT_WORKGROUP_SIZE) {
    let key = abs_key(w[f]);
    below += u32(key < bracket.lo);
    inside += u32(key >= bracket.lo && key <= bracket.hi);
  }
  counts[t] = vec2<u32>(below, inside);
}
