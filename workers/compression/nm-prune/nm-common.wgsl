// nm-prune's parameters, bindings, helpers and entry point, prepended to both of its kernels (gpu.ts):
// nm-prune4.wgsl takes every whole run of M = 4, nm-prune.wgsl every other run (M = 8, and a
// short last run). Runs of M weights along the input of an output channel; weight j's rank is
// the number of run-mates before it in (|w| key, index) order, and the first max(0, r - N) ranks
// are pruned: mask byte 0, the rest get 1 (reference: nm-prune/reference.ts). Only the mask is
// written: the pruned weights are made on the CPU from it (gpu.ts), which costs less than reading
// back 4 bytes a weight more on SwiftShader.
// Stored rows are padded to whole vec4s (gpu.ts), so a thread reads vec4s and writes one packed
// mask word per vec4: no atomics, no mask clearing, every word written by one thread.
//   (in, out) storage: a thread takes a vec4 of 4 neighbouring channels over one run of M rows
//     and ranks the 4 channels' runs side by side, 4 lanes at a time.
//   (out, in) storage: a thread takes one run, M / 4 vec4s of its channel's row (M = 4 or 8, so a
//     run starts on a vec4).
// A kernel takes runs [first_run, n_runs) of every tile; a thread (main, at the end) takes every
// (threads)-th (tile, run) from its own, up to RUNS_PER_THREAD (gpu.ts) of them, and hands each
// to its kernel's run_task: on SwiftShader each workgroup costs ~1 µs of its own, and a thread a
// run of 768 × 3,072 is 2,304 workgroups.
// Neighbouring threads take neighbouring vec4s, as a real GPU wants its loads.

struct Params {
  n_tiles: u32,  // in_out: vec4 columns (stride4); out_in: rows
  n_runs: u32,   // runs along the input: ceil(in_dim / M)
  rows: u32,     // stored rows
  stride4: u32,  // vec4s per stored row (padded)
  cols: u32,     // real stored columns
  keep: u32,     // N
  m: u32,        // M
  in_out: u32,   // 1: stored (in, out)
  first_run: u32, // this kernel's first run
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

// The (tile, run) of task t: in_out tiles are vec4 columns, out_in tiles rows.
fn task_of(t: u32) -> vec2<u32> {
  let span = p.n_runs - p.first_run;
  if (p.in_out == 1u) { return vec2<u32>(t % p.n_tiles, p.first_run + t / p.n_tiles); }
  return vec2<u32>(t / span, p.first_run + t % span);
}

// Each kernel file defines `fn run_task(tile: u32, run: u32)`: what it does with one (tile, run).
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let threads = nwg.x * nwg.y * WORKGROUP_SIZE;
  for (var t = global_thread(wid, nwg, lid, WORKGROUP_SIZE); t < p.n_tiles * (p.n_runs - p.first_run); t += threads) {
    let at = task_of(t);
    run_task(at.x, at.y);
  }
}
