// magnitude-prune, gather pass: each count thread writes its keys inside the bracket, with their
// flat indices, from its own offset (the exclusive prefix sum of bracket-count.wgsl's counts,
// made on the CPU): every slot is written by one thread, no atomics. gpu.ts ranks them.

struct Bracket {
  lo: u32,
  hi: u32,
}

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> w: array<u32>;                   // f32 bits (n)
@group(0) @binding(2) var<uniform> bracket: Bracket;
@group(0) @binding(3) var<storage, read> offsets: array<u32>;             // (threads)
@group(0) @binding(4) var<storage, read_write> found: array<vec2<u32>>;   // (key, flat index)

@compute @workgroup_size(COUNT_WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let group = linear_workgroup(wid, nwg);
  let t = (sizes.span_base + group) * COUNT_WORKGROUP_SIZE + lid;
  if (t >= sizes.threads) { return; }
  var at = offsets[t];
  let stop = min(group * SPAN + SPAN, sizes.n);
  for (var f = group * SPAN + lid; f < stop; f += COUNT_WORKGROUP_SIZE) {
    let key = abs_key(w[f]);
    if (key >= bracket.lo && key <= bracket.hi) {
      found[at] = vec2<u32>(key, sizes.span_base * SPAN + f);
      at += 1u;
    }
  }
}
