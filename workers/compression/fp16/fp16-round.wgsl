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
// Each thread takes one vec4 of weights (on SwiftShader, where WebGPU runs on the CPU, a load or
// store per element costs more than the bit math): its 4 halves pack into a vec2 of code words
// (low half = the lower index, as a little-endian Uint16Array reads them back), and the weights
// are overwritten in place with the halves' exact f32 values. The buffer is padded to a whole
// vec4; the padding's lanes are neither counted nor read back.

struct Params {
  n: u32, // elements
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> w: array<vec4<u32>>;    // f32 bits (n, padded), in place
@group(0) @binding(2) var<storage, read_write> codes: array<vec2<u32>>; // 2 halves a word
@group(0) @binding(3) var<storage, read_write> clamped: atomic<u32>;    // |w| > 65504, counted

const WORKGROUP_SIZE: u32 = 64u;

const F32_HALF_MAX: u32 = 0x477fe000u;        // 65504
const F32_HALF_MIN_NORMAL: u32 = 0x38800000u; // 2^-14
const HALF_MAX_BITS: u32 = 0x7bffu;
const REBIAS: u32 = 0x38000000u;              // (127 - 15) << 23
const TWO_POW_24: f32 = 16777216.0;
const TWO_POW_MINUS_24: f32 = 5.9604644775390625e-8;

fn f32_bits_to_half(bits: vec4<u32>) -> vec4<u32> {
  let sign = (bits >> vec4<u32>(16u)) & vec4<u32>(0x8000u);
  let a = bits & vec4<u32>(0x7fffffffu);
  // drop 13 mantissa bits, rounding to nearest even; a carry into the exponent is correct
  let normal = (a - vec4<u32>(REBIAS) + vec4<u32>(0xfffu) + ((a >> vec4<u32>(13u)) & vec4<u32>(1u))) >> vec4<u32>(13u);
  let subnormal = vec4<u32>(round(bitcast<vec4<f32>>(a) * TWO_POW_24));
  let h = select(subnormal, normal, a >= vec4<u32>(F32_HALF_MIN_NORMAL));
  return sign | select(h, vec4<u32>(HALF_MAX_BITS), a > vec4<u32>(F32_HALF_MAX));
}

fn half_to_f32_bits(h: vec4<u32>) -> vec4<u32> {
  let sign = (h & vec4<u32>(0x8000u)) << vec4<u32>(16u);
  let e = (h >> vec4<u32>(10u)) & vec4<u32>(0x1fu);
  let m = h & vec4<u32>(0x3ffu);
  let normal = ((e + vec4<u32>(112u)) << vec4<u32>(23u)) | (m << vec4<u32>(13u));
  let subnormal = bitcast<vec4<u32>>(vec4<f32>(m) * TWO_POW_MINUS_24); // m = 0 gives +0
  return sign | select(subnormal, normal, e != vec4<u32>(0u));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let v = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (v * 4u >= p.n) { return; }
  let bits = w[v];
  let h = f32_bits_to_half(bits);
  w[v] = half_to_f32_bits(h);
  codes[v] = vec2<u32>(h.x | (h.y << 16u), h.z | (h.w << 16u));
  let real = vec4<u32>(v * 4u) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(p.n);
  let over = (bits & vec4<u32>(0x7fffffffu)) > vec4<u32>(F32_HALF_MAX);
  // a weight above 65504 means a broken model, so this is practically never reached: uncontended
  if (any(over & real)) { atomicAdd(&clamped, dot(vec4<u32>(over & real), vec4<u32>(1u))); }
}
