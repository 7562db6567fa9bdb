// awq, the search's loss terms: a thread per (4 pairs p = (α, output row), input i) computes
// δ_i · (H δ)_i for each of its pairs, with (H δ)_i summed over j in order, in f32, as searchLosses
// in reference.ts does; TS sums the terms in f64 (awqAddTerms). H and δ come as vec4 rows
// padded to kp with zeros (a padded term adds +0). Four pairs a thread share each load of H's row
// (on SwiftShader a load whose address differs per invocation is a gather: one pair a thread took
// 4.1–4.6 s on 256 × 1024, as long as the TS search); threads of a workgroup take neighbouring i,
// so they share the δ loads. Past the last pair a thread repeats it and does not store.

struct Sizes {
  threads: u32, // pairs · in (a thread per 4 pairs and input)
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
  let k = sizes.in_dim;
  let pairs = sizes.threads / k;
  if (t >= ((pairs + 3u) / 4u) * k) { return; }
  let kp4 = sizes.kp / 4u;
  let first = (t / k) * 4u;
  let i = t % k;
  let p0 = first * kp4;
  let p1 = min(first + 1u, pairs - 1u) * kp4;
  let p2 = min(first + 2u, pairs - 1u) * kp4;
  let p3 = min(first + 3u, pairs - 1u) * kp4;
  var acc0 = 0.0;
  var acc1 = 0.0;
  var acc2 = 0.0;
  var acc3 = 0.0;
  for (var j4 = 0u; j4 < kp4; j4++) {
    let hv = h[i * kp4 + j4];
    let d0 = delta[p0 + j4];
    let d1 = delta[p1 + j4];
    let d2 = delta[p2 + j4];
    let d3 = delta[p3 + j4];
    acc0 = acc0 + hv.x * d0.x;
    acc0 = acc0 + hv.y * d0.y;
    acc0 = acc0 + hv.z * d0.z;
    acc0 = acc0 + hv.w * d0.w;
    acc1 = acc1 + hv.x * d1.x;
    acc1 = acc1 + hv.y * d1.y;
    acc1 = acc1 + hv.z * d1.z;
    acc1 = acc1 + hv.w * d1.w;
    acc2 = acc2 + hv.x * d2.x;
    acc2 = acc2 + hv.y * d2.y;
    acc2 = acc2 + hv.z * d2.z;
    acc2 = acc2 + hv.w * d2.w;
    acc3 = acc3 + hv.x * d3.x;
    acc3 = acc3 + hv.y * d3.y;
    acc3 = acc3 + hv.z * d3.z;
    acc3 = acc3 + hv.w * d3.w;
  }
  terms[first * k + i] = delta[p0 + i / 4u][i % 4u] * acc0;
  if (first + 1u < pairs) { terms[(first + 1u) * k + i] = delta[p1 + i / 4u][i % 4u] * acc1; }
  if (first + 2u < pairs) { terms[(first + 2u) * k + i] = delta[p2 + i / 4u][i % 4u] * acc2; }
  if (first + 3u < pairs) { terms[(first + 3u) * k + i] = delta[p3 + i / 4u][i % 4u] * acc3; }
}
