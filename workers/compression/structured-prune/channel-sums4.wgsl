// structured-prune's channel sums (heads.ts unitSumSquares' first level) when 4 neighbouring
// channels sit side by side in memory: the output channels of an (in, out) weight (gpu.ts uploads
// only the columns asked for, rows `step4` vec4s apart), the input channels of an (out, in) one.
// A thread per 4 channels, one vec4 load of their weights at each position, each channel's
// Σ_k w² in its lane, in k order, each square and sum rounded to f32 like the reference.
// On SwiftShader every storage load is a per-lane gather and every loop trip carries the lanes'
// masks: a quarter of the loads, and positions taken 8 a trip (the same adds in the same order),
// 768 × 3,072 in ~7 ms where one position a trip took ~12 (scratch page, load ~20).

struct Params {
  count: u32,  // channels, a multiple of 4
  len: u32,    // weights per channel
  step4: u32,  // vec4s from one position of a channel to the next
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4<f32>>;

// 16: 768 channels are 12 workgroups, work for every core SwiftShader has
const WORKGROUP_SIZE: u32 = 16u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let q = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (q >= p.count / 4u) { return; }
  let step = p.step4;
  let len = p.len;
  var acc = vec4<f32>(0.0);
  var at = q;
  var k = 0u;
  for (; k + 8u <= len; k += 8u) {
    let x0 = w[at];
    let x1 = w[at + step];
    let x2 = w[at + 2u * step];
    let x3 = w[at + 3u * step];
    let x4 = w[at + 4u * step];
    let x5 = w[at + 5u * step];
    let x6 = w[at + 6u * step];
    let x7 = w[at + 7u * step];
    var sq = x0 * x0;
    acc = acc + sq;
    sq = x1 * x1;
    acc = acc + sq;
    sq = x2 * x2;
    acc = acc + sq;
    sq = x3 * x3;
    acc = acc + sq;
    sq = x4 * x4;
    acc = acc + sq;
    sq = x5 * x5;
    acc = acc + sq;
    sq = x6 * x6;
    acc = acc + sq;
    sq = x7 * x7;
    acc = acc + sq;
    at += 8u * step;
  }
  for (; k < len; k++) {
    let x = w[at];
    let sq = x * x;
    acc = acc + sq;
    at += step;
  }
  out[q] = acc;
}
