// nm-prune (reference: nm-prune/reference.ts): runs of M weights along the input of an output
// channel; weight j's rank is the number of run-mates before it in (|w| key, index) order, and
// the first max(0, r - N) ranks are pruned: mask byte 0, the rest get 1. Only the mask is
// written: the pruned weights are made on the CPU from it (gpu.ts), which costs less than reading
// back 4 bytes a weight more on SwiftShader.
// Stored rows are padded to whole vec4s (gpu.ts), so a thread reads vec4s and writes one packed
// mask word per vec4: no atomics, no mask clearing, every word written by one thread.
//   (in, out) storage: a thread takes a vec4 of 4 neighbouring channels over one run of M rows
//     and ranks the 4 channels' runs side by side, 4 lanes at a time.
//   (out, in) storage: a thread takes one run, M / 4 vec4s of its channel's row (M = 4 or 8, so a
//     run starts on a vec4).
// M <= 8: at most 64 compares a run, in registers.
// A thread takes every (threads)-th run from its own, up to RUNS_PER_THREAD (gpu.ts) of them: on
// SwiftShader each workgroup costs ~1 µs of its own, and a thread a run of 768 × 3,072 is 2,304
// workgroups. Neighbouring threads take neighbouring vec4s, as a real GPU wants its loads.

struct Params {
  n_tiles: u32,  // in_out: vec4 columns (stride4); out_in: rows
  n_runs: u32,   // runs along the input: ceil(in_dim / M)
  rows: u32,     // stored rows
  stride4: u32,  // vec4s per stored row (padded)
  cols: u32,     // real stored columns
  keep: u32,     // N
  m: u32,        // M
  in_out: u32,   // 1: stored (in, out)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<vec4<u32>>;        // f32 bits (rows, stride4)
@group(0) @binding(2) var<storage, read_write> mask: array<u32>;     // (rows, stride4), 4 mask bytes each

const WORKGROUP_SIZE: u32 = 64u;
const MAX_M: u32 = 8u;

fn pack_bytes(b: vec4<u32>) -> u32 {
  return b.x | (b.y << 8u) | (b.z << 16u) | (b.w << 24u);
}

// 1 in each lane where key kl ranks before kj (l is an earlier index than j: `earlier`).
fn before(kl: vec4<u32>, kj: vec4<u32>, earlier: bool) -> vec4<u32> {
  return vec4<u32>((kl < kj) | ((kl == kj) & vec4<bool>(earlier)));
}

// The mask word of the vec4 at `at`: 1 in the lanes kept.
fn apply4(at: u32, keep: vec4<bool>) {
  mask[at] = pack_bytes(vec4<u32>(keep));
}

// (in, out), a whole run of M = 4 rows: the ranks written out, no private arrays (on SwiftShader a
// private array indexed by a loop variable lives in memory, one access per lane).
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

// (in, out): channels 4q .. 4q + 3, rows [run * M, ...).
fn in_out_run(q: u32, run: u32) {
  let r0 = run * p.m;
  let r = min(p.m, p.rows - r0);
  if (r == 4u) { in_out_run4(q, r0); return; }
  let prune = vec4<u32>(select(0u, r - p.keep, r > p.keep));
  var keys: array<vec4<u32>, MAX_M>;
  for (var j = 0u; j < r; j++) { keys[j] = w[(r0 + j) * p.stride4 + q] & vec4<u32>(0x7fffffffu); }
  for (var j = 0u; j < r; j++) {
    var rank = vec4<u32>(0u);
    for (var l = 0u; l < r; l++) {
      let before = (keys[l] < keys[j]) | ((keys[l] == keys[j]) & vec4<bool>(l < j));
      rank += vec4<u32>(before);
    }
    apply4((r0 + j) * p.stride4 + q, rank >= prune);
  }
}

// (out, in): row o, elements [run * M, ...) (M / 4 vec4s; the row's padding is no run-mate).
fn out_in_run(o: u32, run: u32) {
  let e0 = run * p.m;
  let r = min(p.m, p.cols - e0);
  if (r == 4u) { out_in_run4(o * p.stride4 + e0 / 4u); return; }
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

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let threads = nwg.x * nwg.y * WORKGROUP_SIZE;
  for (var t = global_thread(wid, nwg, lid, WORKGROUP_SIZE); t < p.n_tiles * p.n_runs; t += threads) {
    if (p.in_out == 1u) {
      in_out_run(t % p.n_tiles, t / p.n_tiles);
    } else {
      out_in_run(t / p.n_runs, t % p.n_runs);
    }
  }
}
