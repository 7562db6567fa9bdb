// nm-prune's kernel for whole runs of M = 4 (nm-common.wgsl before it says the rule), the runs
// of 2:4 but a short last one: the ranks written out, no private arrays, no loops. On SwiftShader
// a private array indexed by a loop variable lives in memory, one access per lane, and the
// general kernel's arrays and loops cost it even where it takes this path: that kernel on
// 768 × 3,072 (in, out) took ~2x as long as this one alone (kernel only, load ~28 on 2 cores).

// (in, out), a whole run of M = 4 rows.
fn in_out_run4(q: u32, r0: u32) {
  let a0 = r0 * p.stride4 + q;
  let a1 = a0 + p.stride4;
  let a2 = a1 + p.stride4;
  let a3 = a2 + p.stride4;
  let m = vec4<u32>(0x7fffffffu);
  let k0 = w[a0] & m;
  let k1 = w[a1] & m;
  let k2 = w[a2] & m;
  let k3 = w[a3] & m;
  let prune = vec4<u32>(select(0u, 4u - p.keep, p.keep < 4u));
  apply4(a0, before(k1, k0, false) + before(k2, k0, false) + before(k3, k0, false) >= prune);
  apply4(a1, before(k0, k1, true) + before(k2, k1, false) + before(k3, k1, false) >= prune);
  apply4(a2, before(k0, k2, true) + before(k1, k2, true) + before(k3, k2, false) >= prune);
  apply4(a3, before(k0, k3, true) + before(k1, k3, true) + before(k2, k3, true) >= prune);
}

// (out, in), a whole run of M = 4: one vec4, ranked lane against lane.
fn out_in_run4(at: u32) {
  let k = w[at] & vec4<u32>(0x7fffffffu);
  var rank = vec4<u32>((vec4<u32>(k.x) < k) | ((vec4<u32>(k.x) == k) & vec4<bool>(false, true, true, true)));
  rank += vec4<u32>((vec4<u32>(k.y) < k) | ((vec4<u32>(k.y) == k) & vec4<bool>(false, false, true, true)));
  rank += vec4<u32>((vec4<u32>(k.z) < k) | ((vec4<u32>(k.z) == k) & vec4<bool>(false, false, false, true)));
  rank += vec4<u32>(vec4<u32>(k.w) < k);
  apply4(at, rank >= vec4<u32>(select(0u, 4u - p.keep, p.keep < 4u)));
}

// One (tile, run) for nm-common.wgsl's main.
fn run_task(tile: u32, run: u32) {
  if (p.in_out == 1u) {
    in_out_run4(tile, run * 4u);
  } else {
    out_in_run4(tile * p.stride4 + run);
  }
}
