// gptq, the lazy batch update after block [b1, b2): every column j after the block subtracts the
// block's errors, w_j -= e_a · U_aj for a = b1, b1 + 1, … in that order (the order of
// gptqReference, so the same floats). A thread per (column j, row o), rows fastest: a
// workgroup's threads read neighbouring errors and mostly the same U word. This is the bulk of
// GPTQ's work (rows · in² / 2 multiply-adds over all blocks), spread over rows · (in − b2) threads.

struct Sizes {
  rows: u32,
  in_dim: u32,
  b1: u32,
  b2: u32,
}

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> u: array<f32>;          // (in, in) upper, then factors
@group(0) @binding(2) var<storage, read_write> work: array<f32>; // (in, rows)
@group(0) @binding(3) var<storage, read> err: array<f32>;        // (block, rows)

const WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  let n = sizes.rows;
  let k = sizes.in_dim;
  if (t >= n * (k - sizes.b2)) { return; }
  let o = t % n;
  let j = sizes.b2 + t / n;
  var x = work[j * n + o];
  for (var a = sizes.b1; a < sizes.b2; a++) {
    x = x - err[(a - sizes.b1) * n + o] * u[a * k + j];
  }
  work[j * n + o] = x;
}
