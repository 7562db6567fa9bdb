// int8-channel, int4-group and rtn, pass 1: the scale and zero point of each group, one thread per
// (output channel o, group g) looping over the group's weights along the input dimension
// (int8-channel: one group = the whole channel). Twin of the loops in int8-channel/reference.ts
// and int4-group/reference.ts:
//   mn = min(0, min w), mx = max(0, max w)
//   symmetric:  scale = max(max(-mn, mx) * inv_levels, min_scale), zp = 0   (max(-mn, mx) = max|w|)
//   asymmetric: scale = max((mx - mn) * inv_levels, min_scale), zp = round_div(-mn, scale, qmax)
// A thread, not a workgroup, per group: no barriers and no atomics, and a group is long enough
// (16..inDim weights) to be worth a thread. Neighbouring threads take neighbouring groups in
// memory: along the input for (out, in) storage, along the channels for (in, out) storage.
// Pass 2 is affine-quantize.wgsl.

struct Params {
  out_dim: u32,
  in_dim: u32,
  stride_out: u32,
  stride_in: u32,
  group_size: u32,
  n_groups: u32,   // ceil(in_dim / group_size)
  in_out: u32,     // 1: stored (in, out)
  symmetric: u32,  // 1: max|w| scale, zero point 0 (int8-channel, rtn symmetric)
  inv_levels: u32, // f32 bits of fround(1 / levels)
  min_scale: u32,  // f32 bits of 2^-100
  qmax: u32,       // zero point cap (asymmetric)
  o_base: u32,     // this chunk's first output channel in the tensor (out_in chunks of rows)
  g_base: u32,     // this chunk's first group along the input (in_out chunks of rows)
  n_groups_total: u32, // groups per channel in the whole tensor: the params' row length
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<f32>;                 // stored (rows * cols)
@group(0) @binding(2) var<storage, read_write> scales: array<f32>;      // (out, n_groups)
@group(0) @binding(3) var<storage, read_write> zero_points: array<u32>; // (out, n_groups)

const WORKGROUP_SIZE: u32 = 64u; // a multiple of every vendor's SIMD width (32 or 64)

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (t >= p.out_dim * p.n_groups) { return; }
  let o = select(t / p.n_groups, t % p.out_dim, p.in_out == 1u);
  let g = select(t % p.n_groups, t / p.out_dim, p.in_out == 1u);
  let start = g * p.group_size;
  let count = min(p.in_dim, start + p.group_size) - start;
  var at = offset_of(o, start, p.stride_out, p.stride_in);
  var mn = 0.0;
  var mx = 0.0;
  for (var k = 0u; k < count; k++) {
    let x = w[at];
    mn = min(mn, x);
    mx = max(mx, x);
    at += p.stride_in;
  }
  let inv = bitcast<f32>(p.inv_levels);
  let min_scale = bitcast<f32>(p.min_scale);
  let at_param = (o + p.o_base) * p.n_groups_total + g + p.g_base;
  if (p.symmetric == 1u) {
    scales[at_param] = max(max(-mn, mx) * inv, min_scale);
    zero_points[at_param] = 0u;
  } else {
    let s = max((mx - mn) * inv, min_scale);
    scales[at_param] = s;
    zero_points[at_param] = round_div(-mn, s, p.qmax);
  }
}
