// int4-group, pass 1: one thread per (output channel, group) finds the range (0 included) of its
// group_size weights along the input dimension and writes scale and zero point
// (reference: int4GroupReference). Pass 2 is shared/affine-quantize.wgsl.

struct Params {
  out_dim: u32,
  in_dim: u32,
  stride_out: u32,
  stride_in: u32,
  group_size: u32,
  n_groups: u32,   // ceil(in_dim / group_size)
  inv_levels: u32, // f32 bits of fround(1/15)
  min_scale: u32,  // f32 bits of 2^-100
  qmax: u32,       // 15
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<f32>;                 // stored (rows * cols)
@group(0) @binding(2) var<storage, read_write> scales: array<f32>;      // (out, n_groups)
@group(0) @binding(3) var<storage, read_write> zero_points: array<u32>; // (out, n_groups)

// 64 threads, each a whole group (<= 128 loads): groups are short, so a thread per group keeps
// the kernel free of barriers; 64 is a multiple of every vendor's SIMD width.
const WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let g = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (g >= p.out_dim * p.n_groups) { return; }
  let o = g / p.n_groups;
  let start = (g % p.n_groups) * p.group_size;
  let end = min(p.in_dim, start + p.group_size);
  var mn = 0.0;
  var mx = 0.0;
  for (var i = start; i < end; i++) {
    let x = w[offset_of(o, i, p.stride_out, p.stride_in)];
    mn = min(mn, x);
    mx = max(mx, x);
  }
  let s = max((mx - mn) * bitcast<f32>(p.inv_levels), bitcast<f32>(p.min_scale));
  scales[g] = s;
  zero_points[g] = round_div(-mn, s, p.qmax);
}
