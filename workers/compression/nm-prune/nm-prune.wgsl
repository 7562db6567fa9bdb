// nm-prune (reference: nm-prune/reference.ts): runs of M weights along the input of an output
// channel; weight j's rank is the number of run-mates before it in (|w| key, index) order, and
// the first max(0, r - N) ranks are zeroed in place (+0) with mask byte 0, the rest get 1.
// Stored rows are padded to whole vec4s (gpu.ts), so a thread reads and writes vec4s and one
// packed mask word per vec4: no atomics, no mask clearing, every word written by one thread.
//   (in, out) storage: a thread takes a vec4 of 4 neighbouring channels over one run of M rows
//     and ranks the 4 channels' runs side by side, 4 lanes at a time.
//   (out, in) storage: a thread takes one run, M / 4 vec4s of its channel's row (M = 4 or 8, so a
//     run starts on a vec4).
// M <= 8: at most 64 compares a run, in registers.

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
@group(0) @binding(1) var<storage, read_write> w: array<vec4<u32>>;  // f32 bits (rows, stride4), in place
@group(0) @binding(2) var<storage, read_write> mask: array<u32>;     // (rows, stride4), 4 mask bytes each

const WORKGROUP_SIZE: u32 = 64u;
const MAX_M: u32 = 8u;

fn pack_bytes(b: vec4<u32>) -> u32 {
  return b.x | (b.y << 8u) | (b.z << 16u) | (b.w << 24u);
}

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
      let before = (keys[l] < keys[j]) | ((keys[l] == keys[j]) & vec4<bool>(l < j));
      rank += vec4<u32>(before);
    }
    let keep = rank >= prune;
    let at = (r0 + j) * p.stride4 + q;
    w[at] = select(vec4<u32>(0u), w[at], keep);
    mask[at] = pack_bytes(vec4<u32>(keep));
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
    w[v0 + v] = select(vec4<u32>(0u), w[v0 + v], k == vec4<u32>(1u));
    mask[v0 + v] = pack_bytes(k);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (t >= p.n_tiles * p.n_runs) { return; }
  if (p.in_out == 1u) {
    in_out_run(t % p.n_tiles, t / p.n_tiles);
  } else {
    out_in_run(t / p.n_runs, t % p.n_runs);
  }
}
