// magnitude-prune, count pass (8 times): per thread, how many of its keys lie below each of the
// 15 pivots of the current digit (see select-state.wgsl). The counts go to `partials` for
// pivot-select.wgsl to add up; 4 x vec4 registers per thread, no shared memory.

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> w: array<u32>;                  // f32 bits (n)
@group(0) @binding(2) var<storage, read> state: SelectState;
@group(0) @binding(3) var<storage, read_write> partials: array<vec4<u32>>; // (threads, 4): pivots 1..15, 16th unused

@compute @workgroup_size(COUNT_WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let group = linear_workgroup(wid, nwg);
  let t = (sizes.span_base + group) * COUNT_WORKGROUP_SIZE + lid;
  if (t >= sizes.threads) { return; }
  let step = vec4<u32>(1u << digit_shift(state.digit));
  let low = vec4<u32>(state.low);
  // pivot 16 would be the top of the range: never needed, and it may not fit in 32 bits
  let p0 = low + step * vec4<u32>(1u, 2u, 3u, 4u);
  let p1 = low + step * vec4<u32>(5u, 6u, 7u, 8u);
  let p2 = low + step * vec4<u32>(9u, 10u, 11u, 12u);
  let p3 = low + step * vec4<u32>(13u, 14u, 15u, 15u);
  var c0 = vec4<u32>(0u);
  var c1 = vec4<u32>(0u);
  var c2 = vec4<u32>(0u);
  var c3 = vec4<u32>(0u);
  let start = group * SPAN + lid;
  let stop = min(group * SPAN + SPAN, sizes.n);
  for (var f = start; f < stop; f += COUNT_WORKGROUP_SIZE) {
    let key = vec4<u32>(abs_key(w[f]));
    c0 += vec4<u32>(key < p0);
    c1 += vec4<u32>(key < p1);
    c2 += vec4<u32>(key < p2);
    c3 += vec4<u32>(key < p3);
  }
  partials[t * 4u] = c0;
  partials[t * 4u + 1u] = c1;
  partials[t * 4u + 2u] = c2;
  partials[t * 4u + 3u] = c3;
}
