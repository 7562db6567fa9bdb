// global-prune's per-tensor step for a chunk the tie cut does not cross (gpu.ts picks it): the
// rule of prune-mask.wgsl with the ties' fate the same for the whole chunk, so one compare a
// weight, kept = key >= T', where T' = T when the chunk's ties at T are all kept (the cut ends at
// or before the chunk) and T + 1 when all are pruned (it ends at or after the chunk's end). T
// is a 31-bit key, so T + 1 fits a u32 and is above every key.
// A thread takes 16 neighbouring weights (four vec4 loads, one vec4 of mask words), the arrays
// have a fixed size (no buffer length in their bounds checks, no loop): on SwiftShader, 768 x
// 3,072 in one piece, the kernel alone (10 dispatches a submit) took 3.3-3.5 ms against 7.1-7.3
// for the general rule as it ran in every chunk before (64 words a thread in a loop,
// runtime-sized arrays, the cut and the padding tested a weight) and 3.7-3.8 for the general rule
// in this layout (prune-mask.wgsl now). Padding weights (zeros) get mask bytes that are not read
// back.

// The chunk's threads (gpu.ts writes it into this text, one pipeline per chunk size).
const CHUNK_THREADS: u32 = 32768u;

@group(0) @binding(0) var<uniform> kept_from: vec4<u32>;                               // (T', 0, 0, 0)
@group(0) @binding(1) var<storage, read> w: array<vec4<u32>, CHUNK_THREADS * 4u>;      // f32 bits, padded with zeros
@group(0) @binding(2) var<storage, read_write> mask: array<vec4<u32>, CHUNK_THREADS>;  // 1 byte a weight, 1 = kept

const WORKGROUP_SIZE: u32 = 256u;

// 4 weights' mask bytes in one word, the lowest index in the lowest byte
fn word_of(x: vec4<u32>, t: vec4<u32>) -> u32 {
  let kept = select(vec4<u32>(0u), vec4<u32>(1u, 0x100u, 0x10000u, 0x1000000u), (x & vec4<u32>(0x7fffffffu)) >= t);
  return kept.x | kept.y | kept.z | kept.w;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let q = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (q >= CHUNK_THREADS) { return; } // a 2D grid's ragged last row
  let t = vec4<u32>(kept_from.x);
  mask[q] = vec4<u32>(word_of(w[4u * q], t), word_of(w[4u * q + 1u], t), word_of(w[4u * q + 2u], t), word_of(w[4u * q + 3u], t));
}
