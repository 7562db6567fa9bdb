// magnitude-prune, final pass: prune key < threshold, and key == threshold below cut_end (the
// ties that come first by index); write +0 over pruned weights in place and the keep-mask bytes.

struct Params {
  n: u32,
  threshold: u32,
  cut_end: u32, // flat index: ties at or after it are kept
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> w: array<u32>;     // f32 bits (rows * cols), in place
@group(0) @binding(2) var<storage, read_write> mask: array<u32>;  // (ceil(n / 4)), 1 byte per element

// 64 threads, 4 elements each (one u32 of mask bytes); the reasons are in affine-quantize.wgsl.
const WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let first = global_thread(wid, nwg, lid, WORKGROUP_SIZE) * 4u;
  if (first >= p.n) { return; }
  var packed = 0u;
  for (var f = first; f < min(first + 4u, p.n); f++) {
    let k = f - first;
    let key = abs_key(w[f]);
    let pruned = key < p.threshold || (key == p.threshold && f < p.cut_end);
    if (pruned) { w[f] = 0u; } else { packed |= 1u << (8u * k); }
  }
  mask[first / 4u] = packed;
}
