// awq, the search's loss terms: a thread per (pair p = (α, sampled row), input i) computes
// δ_i · (H δ)_i with (H δ)_i summed over j in order, in f32, as searchTerms in reference.ts does;
// TS sums the terms in f64 (awqChooseAlpha). H and δ come as vec4 rows padded to kp with zeros
// (a padded term adds +0), threads of a workgroup take neighbouring i of one pair, so they share
// the δ loads.

struct Sizes {
  threads: u32, // pairs · in
  in_dim: u32,
  kp: u32,      // padded row length, a multiple of 4
}

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> h: array<vec4<f32>>;     // (in, kp)
@group(0) @binding(2) var<storage, read> delta: array<vec4<f32>>; // (pairs, kp)
@group(0) @binding(3) var<storage, read_write> terms: array<f32>;  // (pairs, in)

const WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (t >= sizes.threads) { return; }
  let k = sizes.in_dim;
  let kp4 = sizes.kp / 4u;
  let p = t / k;
  let i = t % k;
  var acc = 0.0;
  for (var j4 = 0u; j4 < kp4; j4++) {
    let hv = h[i * kp4 + j4];
    let dv = delta[p * kp4 + j4];
    acc = acc + hv.x * dv.x;
    acc = acc + hv.y * dv.y;
    acc = acc + hv.z * dv.z;
    acc = acc + hv.w * dv.w;
  }
  terms[t] = delta[p * kp4 + i / 4u][i % 4u] * acc;
}
