// structured-prune's channel norms (reference: structured-prune/heads.ts unitSumSquares): one thread
// per unit (an attention head, a whole KV group of heads, or with width 1 an MLP neuron), the sum of squares of every weight of
// its `width` consecutive channels starting at channel `offset` (channel order, then each channel's
// `len` weights in index order), accumulated in f32 like the reference (each square and each sum
// rounded to f32). A channel is an output channel (a Q/K/V column) or an input channel (a row of
// the output projection): the strides say which. `offset` picks Q, K or V out of a fused c_attn.

struct Params {
  count: u32,         // units (heads or KV groups)
  width: u32,         // channels per unit (head size, or heads per group x head size)
  offset: u32,        // first channel of unit 0
  len: u32,           // weights per channel
  stride_neuron: u32, // flat offset step between channels
  stride_elem: u32,   // flat offset step between a channel's weights
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

const WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let u = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (u >= p.count) { return; }
  var acc = 0.0f;
  for (var c = 0u; c < p.width; c++) {
    let channel = p.offset + u * p.width + c;
    for (var k = 0u; k < p.len; k++) {
      let x = w[channel * p.stride_neuron + k * p.stride_elem];
      let sq = x * x;
      acc = acc + sq;
    }
  }
  out[u] = acc;
}
