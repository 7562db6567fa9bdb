// int8-channel, pass 1: one workgroup per output channel reduces max|w| over the input dimension
// and writes scale = max(max|w| * inv_levels, min_scale) (reference: int8ChannelReference).
// Pass 2 is shared/affine-quantize.wgsl.

struct Params {
  out_dim: u32,
  in_dim: u32,
  stride_out: u32,
  stride_in: u32,
  inv_levels: u32, // f32 bits of fround(1/127)
  min_scale: u32,  // f32 bits of 2^-100
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<f32>;               // stored (rows * cols)
@group(0) @binding(2) var<storage, read_write> scales: array<f32>;    // (out)
@group(0) @binding(3) var<storage, read_write> zero_points: array<u32>; // (out), all 0 (symmetric)

// 64 threads share one channel: enough to cover short channels in one step and to keep the
// tree reduction in workgroup memory at 6 barriers.
const WORKGROUP_SIZE: u32 = 64u;
var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = linear_workgroup(wid, nwg); // uniform across the workgroup, so the early return is safe
  if (o >= p.out_dim) { return; }
  var m = 0.0;
  for (var i = lid; i < p.in_dim; i += WORKGROUP_SIZE) {
    m = max(m, abs(w[offset_of(o, i, p.stride_out, p.stride_in)]));
  }
  partial[lid] = m;
  workgroupBarrier();
  for (var span = WORKGROUP_SIZE / 2u; span > 0u; span /= 2u) {
    if (lid < span) { partial[lid] = max(partial[lid], partial[lid + span]); }
    workgroupBarrier();
  }
  if (lid == 0u) {
    scales[o] = max(partial[0] * bitcast<f32>(p.inv_levels), bitcast<f32>(p.min_scale));
    zero_points[o] = 0u;
  }
}
