// nm-prune's general kernel (nm-common.wgsl before it says the rule): runs of M = 8, and a
// short last run of any M; nm-prune4.wgsl takes the whole runs of M = 4. M <= 8: at most 64
// compares a run, in registers.

// (in, out): channels 4q .. 4q + 3, rows [run * M, ...).
fn in_out_run(q: u32, run: u32) {
  let r0 = run * p.m;
  let r = min(p.m, p.rows - r0);
  let prune = vec4<u32>(select(0u, r - p.keep, r > p.keep));
  var keys: array<vec4<u32>, MAX_M>;
  for (var j = 0u; j < r; j++) { keys[j] = w[(r0 + j) * p.stride4 + q] & vec4<u32>(0x7fffffffu); }
  for (var j = 0u; j < r; j++) {
    var rank = vec4<u32>(0u);
    for (var l = 0u; l < r; l++) {
      rank += before(keys[l], keys[j], l < j);
    }
    apply4((r0 + j) * p.stride4 + q, rank >= prune);
  }
}

// (out, in): row o, elements [run * M, ...) (M / 4 vec4s; the row's padding is no run-mate).
fn out_in_run(o: u32, run: u32) {
  let e0 = run * p.m;
  let r = min(p.m, p.cols - e0);
  let prune = select(0u, r - p.keep, r > p.keep);
  let v0 = o * p.stride4 + e0 / 4u;
  let nv = (r + 3u) / 4u;
  var keys: array<u32, MAX_M>;
  for (var v = 0u; v < nv; v++) {
    let x = w[v0 + v] & vec4<u32>(0x7fffffffu);
    keys[4u * v] = x.x;
    keys[4u * v + 1u] = x.y;
    keys[4u * v + 2u] = x.z;
    keys[4u * v + 3u] = x.w;
  }
  var keep: array<u32, MAX_M>;
  for (var j = 0u; j < r; j++) {
    var rank = 0u;
    for (var l = 0u; l < r; l++) { rank += u32(keys[l] < keys[j] || (keys[l] == keys[j] && l < j)); }
    keep[j] = u32(rank >= prune);
  }
  for (var v = 0u; v < nv; v++) {
    let k = vec4<u32>(keep[4u * v], keep[4u * v + 1u], keep[4u * v + 2u], keep[4u * v + 3u]);
    apply4(v0 + v, k == vec4<u32>(1u));
  }
}

// One (tile, run) for nm-common.wgsl's main.
fn run_task(tile: u32, run: u32) {
  if (p.in_out == 1u) {
    in_out_run(tile, run);
  } else {
    out_in_run(tile, run);
  }
}
