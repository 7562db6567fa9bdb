// structured-prune's channel sums (heads.ts unitSumSquares' first level), any layout: a thread per
// channel, Σ_k w² of its `len` weights in k order, each square and sum rounded to f32 like the
// reference. A channel is an output channel (a Q/K/V column) or an input channel (a row of the
// output projection): the strides say which. calibration/col-norms.wgsl is the fast case (4 neighbouring channels a thread).

struct Params {
  count: u32,         // channels
  len: u32,           // weights per channel
  stride_neuron: u32, // flat offset step between channels
  stride_elem: u32,   // flat offset step between a channel's weights
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

const WORKGROUP_SIZE: u32 = 16u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let c = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (c >= p.count) { return; }
  var acc = 0.0f;
  for (var k = 0u; k < p.len; k++) {
    let x = w[c * p.stride_neuron + k * p.stride_elem];
    let sq = x * x;
    acc = acc + sq;
  }
  out[c] = acc;
}
