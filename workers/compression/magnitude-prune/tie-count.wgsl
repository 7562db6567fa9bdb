// magnitude-prune, tie pass: per count thread (the layout of pivot-count.wgsl), how many of its
// keys equal T. A workgroup's threads together cover SPAN consecutive elements, which is what
// tie-cut.wgsl needs to find the cut in index order.

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> w: array<u32>;              // f32 bits (n)
@group(0) @binding(2) var<storage, read> state: SelectState;
@group(0) @binding(3) var<storage, read_write> ties: array<u32>;     // (threads)

@compute @workgroup_size(COUNT_WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let group = linear_workgroup(wid, nwg);
  let t = (sizes.span_base + group) * COUNT_WORKGROUP_SIZE + lid;
  if (t >= sizes.threads) { return; }
  let threshold = state.low;
  var c = 0u;
  let stop = min(group * SPAN + SPAN, sizes.n);
  for (var f = group * SPAN + lid; f < stop; f += COUNT_WORKGROUP_SIZE) {
    c += u32(abs_key(w[f]) == threshold);
  }
  ties[t] = c;
}
