// structured-prune's neuron norms (reference: structured-prune/reference.ts neuronSumSquares): one
// thread per neuron, the sum of squares of its `len` weights in index order, accumulated in f32
// like the reference (each square and each sum rounded to f32). A neuron is an output channel
// (an up layer's column) or an input channel (the down layer's row): the strides say which.

struct Params {
  count: u32,         // neurons
  len: u32,           // weights per neuron
  stride_neuron: u32, // flat offset step between neurons
  stride_elem: u32,   // flat offset step between a neuron's weights
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

const WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let j = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (j >= p.count) { return; }
  var acc = 0.0f;
  for (var k = 0u; k < p.len; k++) {
    let x = w[j * p.stride_neuron + k * p.stride_elem];
    let sq = x * x;
    acc = acc + sq;
  }
  out[j] = acc;
}
