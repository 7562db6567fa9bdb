// magnitude-prune, final pass: prune key < T, and key == T below cut_end (the ties that come
// first by index); write +0 over pruned weights in place and the keep-mask bytes.
// 16 elements (4 mask words) a thread, for the reasons in shared/affine-quantize.wgsl.

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read_write> w: array<u32>;     // f32 bits (n), in place
@group(0) @binding(2) var<storage, read> state: SelectState;
@group(0) @binding(3) var<storage, read_write> mask: array<u32>;  // (ceil(n / 4)), 1 byte per element

const WORKGROUP_SIZE: u32 = 64u;
const ELEMENTS_PER_THREAD: u32 = 16u;

// Prune element f in place if it goes; returns its mask byte.
fn apply_one(f: u32, threshold: u32, cut_end: u32) -> u32 {
  let key = abs_key(w[f]);
  let pruned = key < threshold || (key == threshold && sizes.span_base * SPAN + f < cut_end);
  if (pruned) { w[f] = 0u; }
  return u32(!pruned);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let first = global_thread(wid, nwg, lid, WORKGROUP_SIZE) * ELEMENTS_PER_THREAD;
  if (first >= sizes.n) { return; }
  let count = min(ELEMENTS_PER_THREAD, sizes.n - first);
  let threshold = state.low;
  let cut_end = state.cut_end;
  if (count == ELEMENTS_PER_THREAD) {
    // every thread but the last: no per-element bounds test (see shared/affine-quantize.wgsl)
    for (var word = 0u; word < ELEMENTS_PER_THREAD / 4u; word++) {
      var packed = 0u;
      for (var k = 0u; k < 4u; k++) { packed |= apply_one(first + word * 4u + k, threshold, cut_end) << (8u * k); }
      mask[first / 4u + word] = packed;
    }
  } else {
    for (var word = 0u; word * 4u < count; word++) {
      var packed = 0u;
      for (var k = 0u; k < min(4u, count - word * 4u); k++) { packed |= apply_one(first + word * 4u + k, threshold, cut_end) << (8u * k); }
      mask[first / 4u + word] = packed;
    }
  }
}
