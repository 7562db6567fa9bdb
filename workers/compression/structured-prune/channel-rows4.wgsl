// structured-prune's channel sums (heads.ts unitSumSquares' first level) when each channel's
// weights are a contiguous run (the input channels of an (in, out) weight: the MLP down
// projection's rows, the output projection's head rows): a thread per channel, Σ_k w² over its
// run in k order, 4 weights a vec4 load (8 a loop trip), each square and sum rounded to f32 like
// the reference. On SwiftShader every storage load is a per-lane gather: a quarter of the loads
// of channel-sums.wgsl's one weight a load.

struct Params {
  count: u32,   // channels
  len4: u32,    // weights per channel / 4
  stride4: u32, // vec4s from one channel to the next
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

const WORKGROUP_SIZE: u32 = 16u;

fn add4(s: f32, x: vec4<f32>) -> f32 {
  let q = x * x;
  var t = s + q.x;
  t = t + q.y;
  t = t + q.z;
  return t + q.w;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let c = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (c >= p.count) { return; }
  let len4 = p.len4;
  var at = c * p.stride4;
  var s = 0.0f;
  var k = 0u;
  for (; k + 2u <= len4; k += 2u) {
    let x0 = w[at];
    let x1 = w[at + 1u];
    s = add4(s, x0);
    s = add4(s, x1);
    at += 2u;
  }
  if (k < len4) { s = add4(s, w[at]); }
  out[c] = s;
}
