// structured-prune's neuron norms when 4 neighbouring neurons sit side by side in memory (a channel
// step of 1 and a weight step a multiple of 4: the output channels of an (in, out) weight, the
// input channels of an (out, in) one): a thread per 4 neurons, one vec4 load of their weights at
// each position (on SwiftShader a load is a gather with a bounds check per invocation: a quarter
// of them), each neuron's sum of squares in its lane, in the same order and f32 roundings as
// head-norms.wgsl with units of one channel and the reference (heads.ts unitSumSquares).

struct Params {
  count: u32,         // neurons, a multiple of 4
  width: u32,         // 1
  offset: u32,        // 0
  len: u32,           // weights per neuron
  stride_neuron: u32, // 1
  stride_elem: u32,   // a multiple of 4
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4<f32>>;

const WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let q = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (q >= p.count / 4u) { return; }
  let step = p.stride_elem / 4u;
  var acc = vec4<f32>(0.0);
  for (var k = 0u; k < p.len; k++) {
    let x = w[q + k * step];
    let sq = x * x;
    acc = acc + sq;
  }
  out[q] = acc;
}
