// fp16: round every weight to half (nearest even), twin of f32BitsToHalf in reference.ts. No
// shader-f16 and no pack2x16float: the extension is missing on SwiftShader, and WGSL leaves
// pack2x16float's rounding to the driver. Normal halves are integer math on the f32 bits.
// Subnormal halves use float operations whose results are exact, so no rounding mode or
// flush-to-zero can change them:
//   m = round(|x| * 2^24)    (|x| >= 2^-25 is a normal f32, the product is exact, and WGSL's
//                             round() is defined as ties-to-even; |x| < 2^-25 gives a product
//                             below 0.5, which rounds to 0 even if the GPU flushes it)
//   bits(m + 2^23) - bits(2^23) = m   (m <= 1024 is an integer, so the sum is exact: the f32 to
//                             integer conversion, which WGSL clamps in several steps, is not needed)
// Every path is computed and the right one selected: a SIMD machine runs both sides of a branch
// anyway, and the reference's variable shifts cost far more per lane than a multiply.
//
// Layout: only the halves are written (gpu.ts takes the stats' sums and counts the clamped
// weights among the ±65504 codes on the CPU, so the kernel has no atomics and no branch), two to a
// u32 code word (the lower index in the low 16 bits, as a little-endian Uint16Array reads them
// back), and a thread takes 16 neighbouring weights in vec4 lanes: on SwiftShader (WebGPU on the
// CPU) every load and store is a per-lane gather or scatter and every invocation costs about as
// much as the bit math, so a thread reads four vec4s and writes two (16 a thread and 256 a
// workgroup were the fastest of 8 / 16 / 32 and 64 / 128 / 256 on the 768 x 3072 weight). The
// weights are padded with zeros to whole threads; the padding's codes are not read back.
// Tried and measured slower on SwiftShader (768 x 3072, the kernel alone ~10 ms): the stats' sums
// in the kernel, one partial a thread as the affine kernel takes them (21-25 ms; 15 ms for the
// two sums alone, against the CPU's 8 ms that overlap the GPU's next chunks). Again on 30 Nov with
// the thread's partial as four scalars (each vec4's sums reduced at once, so few registers live),
// counts from sign bits instead of comparisons, |d|'s max on its integer bits, and a thread with a
// weight above 65504 left to the host: 24-27 ms against 10-11 (each split submitted alone); the
// partial's extra store alone costs nothing (10.4-11.3), its arithmetic does (signal +5, noise +3-5,
// max +9, counts +10), while the host's pass it replaces takes ~5 ms of the worker; the weights read
// from an rgba32uint texture (its upload 15 ms against 2.5); a branch around the subnormal path
// (no gain: SwiftShader runs every block of a branch with the lanes masked, and a loop's body at
// least once, so no code is skipped however the lanes go); the subnormal path as floor(m) plus
// an exact tie test instead of round() (WGSL leaves an inexact add's rounding to the GPU, so no
// magic-number add): the kernel alone 9.9 ms against 8.0, though SwiftShader's roundEven is
// itself ~15 operations. The kernel alone (10 dispatches a submit): 7.8-8.0 ms; the same reads and
// writes with no arithmetic 3.3 ms; without the subnormal path 6.3-6.4, without the sign 6.5-6.7.
// pack2x16float is out for exactness: SwiftShader's rounds ties up, not to even.

// The chunk's threads, a constant so the arrays below have a fixed size (gpu.ts writes it into this
// text, one pipeline per chunk size): their bounds checks then need no buffer length, and the
// kernel no uniform. Measured on SwiftShader: about 1.5 ms less of ~19 on the 768 x 3072 weight.
const CHUNK_THREADS: u32 = 16384u;

@group(0) @binding(0) var<storage, read> w: array<vec4<u32>, CHUNK_THREADS * 4u>;           // f32 bits, padded with zeros
@group(0) @binding(1) var<storage, read_write> codes: array<vec4<u32>, CHUNK_THREADS * 2u>; // 2 halves a word

const WORKGROUP_SIZE: u32 = 256u;

const F32_HALF_MIN_NORMAL: u32 = 0x38800000u; // 2^-14
const HALF_MAX_BITS: u32 = 0x7bffu;
// the normal path's a - ((127 - 15) << 23) + 0xfff as one add: u32 arithmetic wraps, so the sum is
// the same number whatever the order
const REBIAS_ROUND: u32 = 0xc8000fffu;
const TWO_POW_24: f32 = 16777216.0;
const TWO_POW_23: f32 = 8388608.0;
const TWO_POW_23_BITS: u32 = 0x4b000000u;

// The half of 4 weights from their f32 bits: for a normal half, round to nearest even at bit 13
// (a carry into the exponent is right) and rebias; for a subnormal one, round(|x| * 2^24). Above
// 65504 the normal path gives at least 0x7c00 (the sum's true value stays below 2^32, so the
// wrapping add gives it), so min() clamps to 0x7bff.
fn half_of(x: vec4<u32>) -> vec4<u32> {
  let a = x & vec4<u32>(0x7fffffffu);
  let normal = (a + vec4<u32>(REBIAS_ROUND) + ((a >> vec4<u32>(13u)) & vec4<u32>(1u))) >> vec4<u32>(13u);
  let subnormal = bitcast<vec4<u32>>(round(bitcast<vec4<f32>>(a) * TWO_POW_24) + TWO_POW_23) - vec4<u32>(TWO_POW_23_BITS);
  let h = select(normal, subnormal, a < vec4<u32>(F32_HALF_MIN_NORMAL));
  return min(h, vec4<u32>(HALF_MAX_BITS)) | ((x >> vec4<u32>(16u)) & vec4<u32>(0x8000u));
}

// 8 halves, two to a u32, the lower index in the low 16 bits
fn pack_pairs(hx: vec4<u32>, hy: vec4<u32>) -> vec4<u32> {
  return vec4<u32>(hx.xz, hy.xz) | (vec4<u32>(hx.yw, hy.yw) << vec4<u32>(16u));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (t >= CHUNK_THREADS) { return; } // a 2D grid's ragged last row
  codes[2u * t] = pack_pairs(half_of(w[4u * t]), half_of(w[4u * t + 1u]));
  codes[2u * t + 1u] = pack_pairs(half_of(w[4u * t + 2u]), half_of(w[4u * t + 3u]));
}
