// Prepended to wanda-row.wgsl and wanda-mask.wgsl (gpu.ts): their sizes, the bindings both read,
// and the score |w| · r_i as an ordered key: the score is an f32 >= 0, so its bits order as it
// does; −0 counts as +0, as the reference's comparison has it.

struct Sizes {
  out_dim: u32,
  in_dim: u32,
  stride_out: u32,
  stride_in: u32,
  // N:M: keep n of every m inputs (m = 0: unstructured, prune `row_prune` per row)
  keep_n: u32,
  run_m: u32,
  row_prune: u32,
  n: u32,
}

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> w: array<f32>;            // stored order (n)
@group(0) @binding(2) var<storage, read> r: array<f32>;            // (in) column norms

const WORKGROUP_SIZE: u32 = 64u;

fn wanda_key(w: f32, r: f32) -> u32 {
  return bitcast<u32>(abs(w) * r) & 0x7fffffffu;
}
