// magnitude-prune, final pass: prune key < T, and key == T below cut_end (the ties that come
// first by index); write +0 over pruned weights in place and the keep-mask bytes.
// 16 elements (4 mask words) a thread, for the reasons in shared/affine-quantize.wgsl.

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read_write> w: array<u32>;     // f32 bits (n), in place
@group(0) @binding(2) var<storage, read> state: SelectState;
@group(0) @binding(3) var<storage, read_write> mask: array<u32>;  // (ceil(n / 4)), 1 byte per element

const WORKGROUP_SIZE: u32 = 64u;
const ELEMENTS_PER_THREAD: u32 = 16u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let first = global_thread(wid, nwg, lid, WORKGROUP_SIZE) * ELEMENTS_PER_THREAD;
  if (first >= sizes.n) { return; }
  let last = min(first + ELEMENTS_PER_THREAD, sizes.n);
  let threshold = state.low;
  let cut_end = state.cut_end;
  for (var word = first; word < last; word += 4u) {
    var packed = 0u;
    for (var f = word; f < min(word + 4u, last); f++) {
      let key = abs_key(w[f]);
      if (key < threshold || (key == threshold && f < cut_end)) {
        w[f] = 0u;
      } else {
        packed |= 1u << (8u * (f - word));
      }
    }
    mask[word / 4u] = packed;
  }
}
