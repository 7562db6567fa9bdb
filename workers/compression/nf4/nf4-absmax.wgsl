// nf4, pass 1 (reference: the block loop of nf4/reference.ts): one thread per block of 64
// weights of the (out, in) matrix in row-major order, a = max(max|w|, min_scale).
// A thread, not a workgroup, per block: 64 reads, no barriers.

struct Params {
  n: u32,
  in_dim: u32,
  stride_out: u32,
  stride_in: u32,
  n_blocks: u32,
  min_scale: u32, // f32 bits of 2^-100
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> absmax: array<f32>;

const WORKGROUP_SIZE: u32 = 64u;
const BLOCK: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let b = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (b >= p.n_blocks) { return; }
  let end = min(p.n, (b + 1u) * BLOCK);
  // step (o, i) along the block instead of dividing per element
  var o = (b * BLOCK) / p.in_dim;
  var i = (b * BLOCK) % p.in_dim;
  var a = 0.0;
  for (var q = b * BLOCK; q < end; q++) {
    a = max(a, abs(w[offset_of(o, i, p.stride_out, p.stride_in)]));
    i += 1u;
    if (i == p.in_dim) { i = 0u; o += 1u; }
  }
  absmax[b] = max(a, bitcast<f32>(p.min_scale));
}
