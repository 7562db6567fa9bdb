// global-prune's per-tensor step: the keep-mask by the rule of globalPruneReference
// (reference.ts), with the plan's threshold T and cut: pruned when |w|'s key < T, or key == T
// before the cut (the flat index in the tensor, so a chunk says where it starts). Nothing is
// written over the weights: the pruned weights are made on the CPU from the mask (gpu.ts).
// A thread takes 16 neighbouring weights (four vec4 loads of f32 bits, one vec4 of mask words, 1
// byte a weight, the lowest index in the lowest byte), the arrays have a fixed size (no buffer
// length in their bounds checks) and there is no loop: on SwiftShader, 768 x 3,072 in one piece,
// the kernel alone (10 dispatches a submit) takes 3.7-3.8 ms, against 7.1-7.3 for 64 words a
// thread in a loop over runtime-sized arrays with the padding tested a weight. A kernel with only
// the compare (kept = key >= T, or T + 1, for the chunks the cut does not cross) took 3.3-3.4 ms
// alone and read the same in the row (3 A B runs): not kept. Padding weights (zeros) get mask
// bytes that are not read back.

// The chunk's threads (gpu.ts writes it into this text, one pipeline per chunk size).
const CHUNK_THREADS: u32 = 32768u;

struct Rule {
  start: u32,     // the chunk's first flat index in the tensor
  threshold: u32, // T, a 31-bit |w| key
  cut_end: u32,   // weights with key == T and flat index < cut_end are pruned
}

@group(0) @binding(0) var<uniform> rule: Rule;
@group(0) @binding(1) var<storage, read> w: array<vec4<u32>, CHUNK_THREADS * 4u>;      // f32 bits, padded with zeros
@group(0) @binding(2) var<storage, read_write> mask: array<vec4<u32>, CHUNK_THREADS>;  // 1 byte a weight, 1 = kept

const WORKGROUP_SIZE: u32 = 256u;

// the mask word of the 4 weights from chunk index `first`
fn word_of(x: vec4<u32>, first: u32) -> u32 {
  let t = vec4<u32>(rule.threshold);
  let key = x & vec4<u32>(0x7fffffffu);
  let at = vec4<u32>(rule.start + first) + vec4<u32>(0u, 1u, 2u, 3u);
  let pruned = (key < t) | ((key == t) & (at < vec4<u32>(rule.cut_end)));
  let kept = select(vec4<u32>(1u, 0x100u, 0x10000u, 0x1000000u), vec4<u32>(0u), pruned);
  return kept.x | kept.y | kept.z | kept.w;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let q = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (q >= CHUNK_THREADS) { return; } // a 2D grid's ragged last row
  let first = 16u * q;
  mask[q] = vec4<u32>(word_of(w[4u * q], first), word_of(w[4u * q + 1u], first + 4u),
                      word_of(w[4u * q + 2u], first + 8u), word_of(w[4u * q + 3u], first + 12u));
}
