// magnitude-prune, the bracket passes (bracket.ts picks the range [lo, hi] from a sample so that
// it holds the k-th smallest key T and few others). Each count thread (the layout of
// pivot-count.wgsl) walks its keys twice, in two dispatches:
//   mode 0, count:  out[t] = (keys below lo, keys in [lo, hi])
//   mode 1, gather: its keys in [lo, hi] with their flat indices, from out[offsets[t]] on (the
//                   exclusive prefix sum of the counts, made on the CPU)
// so every output slot has one writer: no histogram bins, no atomics. Then only the keys inside
// are left to rank (on the CPU), instead of 8 digit passes over all of them.

struct Bracket {
  lo: u32,
  hi: u32,
  mode: u32,
}

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> w: array<u32>;               // f32 bits (n)
@group(0) @binding(2) var<uniform> bracket: Bracket;
@group(0) @binding(3) var<storage, read> offsets: array<u32>;         // (threads); mode 1
@group(0) @binding(4) var<storage, read_write> out: array<vec2<u32>>; // mode 0: (threads); mode 1: (key, flat index)

@compute @workgroup_size(COUNT_WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let span = linear_workgroup(wid, nwg);
  let thread = (sizes.span_base + span) * COUNT_WORKGROUP_SIZE + lid;
  if (thread >= sizes.threads) { return; }
  let stop = min(span * SPAN + SPAN, sizes.n);
  if (bracket.mode == 0u) {
    var below = 0u;
    var inside = 0u;
    for (var f = span * SPAN + lid; f < stop; f += COUNT_WORKGROUP_SIZE) {
      let key = abs_key(w[f]);
      below += u32(key < bracket.lo);
      inside += u32(key >= bracket.lo && key <= bracket.hi);
    }
    out[thread] = vec2<u32>(below, inside);
    return;
  }
  var at = offsets[thread];
  for (var f = span * SPAN + lid; f < stop; f += COUNT_WORKGROUP_SIZE) {
    let key = abs_key(w[f]);
    if (key >= bracket.lo && key <= bracket.hi) {
      out[at] = vec2<u32>(key, sizes.span_base * SPAN + f);
      at += 1u;
    }
  }
}
