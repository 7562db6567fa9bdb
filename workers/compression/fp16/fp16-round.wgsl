// fp16: round every weight to half (nearest even), twin of f32BitsToHalf / halfToF32Bits in
// reference.ts. No shader-f16 and no pack2x16float: the extension is missing on SwiftShader, and
// WGSL leaves pack2x16float's rounding to the driver. Normal halves are integer math on the f32
// bits. Subnormal halves use two float operations whose results are exact, so no rounding mode
// or flush-to-zero can change them:
//   half -> f32:  f32(m) * 2^-24           (m < 1024 converts exactly; scaling by 2^-24 is exact)
//   f32 -> half:  round(|x| * 2^24)        (|x| >= 2^-25 is a normal f32, the product is exact, and
//                                           WGSL's round() is defined as ties-to-even)
// (|x| < 2^-25 gives a product below 0.5, which rounds to 0 even if the GPU flushes it.)
// Every path is computed and the right one selected: a SIMD machine runs both sides of a branch
// anyway, and the reference's variable shifts cost far more per lane than a multiply.
// Each thread takes ELEMENTS_PER_THREAD consecutive weights: their halves pack two to a u32
// (low half = the lower index, as a little-endian Uint16Array reads them back), and the weights
// are overwritten in place with the halves' exact f32 values.

struct Params {
  n: u32, // elements
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> w: array<u32>;          // f32 bits (n), in place
@group(0) @binding(2) var<storage, read_write> codes: array<u32>;      // (ceil(n / 2)), 2 halves each
@group(0) @binding(3) var<storage, read_write> clamped: atomic<u32>;   // |w| > 65504, counted

const WORKGROUP_SIZE: u32 = 64u;
// 16 weights (8 code words) a thread: enough work to spread a thread's fixed cost, while 38 M
// weights still make 2.4 M threads, plenty for any GPU.
const ELEMENTS_PER_THREAD: u32 = 16u;

const F32_HALF_MAX: u32 = 0x477fe000u;        // 65504
const F32_HALF_MIN_NORMAL: u32 = 0x38800000u; // 2^-14
const HALF_MAX_BITS: u32 = 0x7bffu;
const REBIAS: u32 = 0x38000000u;              // (127 - 15) << 23
const TWO_POW_24: f32 = 16777216.0;
const TWO_POW_MINUS_24: f32 = 5.9604644775390625e-8;

fn f32_bits_to_half(bits: u32) -> u32 {
  let sign = (bits >> 16u) & 0x8000u;
  let a = bits & 0x7fffffffu;
  // drop 13 mantissa bits, rounding to nearest even; a carry into the exponent is correct
  let normal = (a - REBIAS + 0xfffu + ((a >> 13u) & 1u)) >> 13u;
  let subnormal = u32(round(bitcast<f32>(a) * TWO_POW_24));
  let h = select(subnormal, normal, a >= F32_HALF_MIN_NORMAL);
  return sign | select(h, HALF_MAX_BITS, a > F32_HALF_MAX);
}

fn half_to_f32_bits(h: u32) -> u32 {
  let sign = (h & 0x8000u) << 16u;
  let e = (h >> 10u) & 0x1fu;
  let m = h & 0x3ffu;
  let normal = ((e + 112u) << 23u) | (m << 13u);
  let subnormal = bitcast<u32>(f32(m) * TWO_POW_MINUS_24); // m = 0 gives +0
  return sign | select(subnormal, normal, e != 0u);
}

// Round element f in place; returns its half bits.
fn round_one(f: u32) -> u32 {
  let h = f32_bits_to_half(w[f]);
  w[f] = half_to_f32_bits(h);
  return h;
}

fn is_clamped(f: u32) -> u32 {
  return u32((w[f] & 0x7fffffffu) > F32_HALF_MAX);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let first = global_thread(wid, nwg, lid, WORKGROUP_SIZE) * ELEMENTS_PER_THREAD;
  if (first >= p.n) { return; }
  let count = min(ELEMENTS_PER_THREAD, p.n - first);
  var over = 0u;
  if (count == ELEMENTS_PER_THREAD) {
    // every thread but the last: no per-element bounds test (see shared/affine-quantize.wgsl)
    for (var k = 0u; k < ELEMENTS_PER_THREAD; k += 2u) {
      over += is_clamped(first + k) + is_clamped(first + k + 1u);
      codes[(first + k) / 2u] = round_one(first + k) | (round_one(first + k + 1u) << 16u);
    }
  } else {
    for (var k = 0u; k < count; k += 2u) {
      over += is_clamped(first + k);
      var word = round_one(first + k);
      if (k + 1u < count) {
        over += is_clamped(first + k + 1u);
        word |= round_one(first + k + 1u) << 16u;
      }
      codes[(first + k) / 2u] = word;
    }
  }
  // a weight above 65504 means a broken model, so this is practically never reached: uncontended
  if (over > 0u) { atomicAdd(&clamped, over); }
}
