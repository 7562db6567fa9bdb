// global-prune's per-tensor step: the keep-mask only, 4 weights at a time (one vec4 load of their
// f32 bits, one word of 4 mask bytes). The rule of globalPruneReference (reference.ts), with the
// plan's threshold T and cut: pruned when |w|'s key < T, or key == T before the cut (the flat
// index in the tensor, so a chunk says where it starts). Nothing is written over the weights: the
// pruned weights are made on the CPU from the mask (gpu.ts).
// A thread takes every (threads)-th word from its own, up to WORDS_PER_THREAD of them (gpu.ts
// dispatches that few workgroups): on SwiftShader a workgroup costs ~1 µs of its own (an empty
// dispatch of 9,216 workgroups took 8-12 ms at load ~20 on 2 cores), and a thread per word of
// 768 × 3,072 is 9,216 workgroups; 64 words a thread is 144. Neighbouring threads take
// neighbouring words, as a real GPU wants its loads.

struct Sizes {
  n: u32,         // weights in this chunk
  start: u32,     // the chunk's first flat index in the tensor
  threshold: u32, // T, a 31-bit |w| key
  cut_end: u32,   // weights with key == T and flat index < cut_end are pruned
}

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> w: array<vec4<u32>>;      // the chunk's f32 bits, padded to 4
@group(0) @binding(2) var<storage, read_write> mask: array<u32>;   // (ceil(n / 4)), 1 byte per weight, 1 = kept

const WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let threads = nwg.x * nwg.y * WORKGROUP_SIZE;
  let words = (sizes.n + 3u) / 4u;
  let lanes = vec4<u32>(0u, 1u, 2u, 3u);
  let t = vec4<u32>(sizes.threshold);
  for (var word = global_thread(wid, nwg, lid, WORKGROUP_SIZE); word < words; word += threads) {
    let first = 4u * word;
    let key = w[word] & vec4<u32>(0x7fffffffu);
    let pruned = (key < t) | ((key == t) & (vec4<u32>(sizes.start + first) + lanes < vec4<u32>(sizes.cut_end)));
    let kept = select(vec4<u32>(0u), vec4<u32>(1u), !pruned & (vec4<u32>(first) + lanes < vec4<u32>(sizes.n))) << (8u * lanes);
    mask[word] = kept.x | kept.y | kept.z | kept.w;
  }
}
