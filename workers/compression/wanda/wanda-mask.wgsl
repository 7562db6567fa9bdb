// wanda: a thread per weight (o, i). Its score |w| · r_i is ranked among the scores of its run
// (the whole row, or its N:M run of M inputs) in the order (score, input index); it is pruned when
// that rank is below the run's prune count. Same rule as wandaReference in reference.ts.
// O(run length) per thread: fine for rows of a few thousand inputs on a GPU.

struct Sizes {
  out_dim: u32,
  in_dim: u32,
  stride_out: u32,
  stride_in: u32,
  // N:M: keep n of every m inputs (m = 0: unstructured, prune `row_prune` per row)
  keep_n: u32,
  run_m: u32,
  row_prune: u32,
}

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> w: array<f32>;            // stored order (n)
@group(0) @binding(2) var<storage, read> r: array<f32>;            // (in) column norms
@group(0) @binding(3) var<storage, read_write> out: array<f32>;    // stored order (n)
@group(0) @binding(4) var<storage, read_write> mask: array<u32>;   // stored order (n), 1 = kept

const WORKGROUP_SIZE: u32 = 64u;

fn score(o: u32, i: u32) -> f32 {
  return abs(w[offset_of(o, i, sizes.stride_out, sizes.stride_in)]) * r[i];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let e = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (e >= sizes.out_dim * sizes.in_dim) { return; }
  let o = e / sizes.in_dim;
  let i = e % sizes.in_dim;
  var start = 0u;
  var end = sizes.in_dim;
  var prune = sizes.row_prune;
  if (sizes.run_m > 0u) {
    start = (i / sizes.run_m) * sizes.run_m;
    end = min(sizes.in_dim, start + sizes.run_m);
    // a short last run of len keeps min(len, N), as nm-prune does
    let len = end - start;
    prune = select(0u, len - sizes.keep_n, len > sizes.keep_n);
  }
  let s = score(o, i);
  var rank = 0u;
  for (var j = start; j < end; j++) {
    let t = score(o, j);
    if (t < s || (t == s && j < i)) { rank++; }
  }
  let at = offset_of(o, i, sizes.stride_out, sizes.stride_in);
  let kept = rank >= prune;
  out[at] = select(0.0, w[at], kept);
  mask[at] = u32(kept);
}
