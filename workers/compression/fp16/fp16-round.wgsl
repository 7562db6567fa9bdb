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
// (On SwiftShader, where WebGPU runs on the CPU, every vector op counts: this is ~20 of them for
// 4 weights.)
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

// The half of 4 weights and its f32 value, straight from the f32 bits: for a normal half, rounding
// to nearest even at bit 13 gives both the half (rebias, shift) and its f32 (clear the 13 low
// bits); for a subnormal one, m = round(|x| * 2^24) and m * 2^-24 (exact, see above).
struct Rounded {
  half: vec4<u32>,
  bits: vec4<u32>, // the f32 bits of the half
  clamped: vec4<bool>,
}

fn round_to_half(x: vec4<u32>) -> Rounded {
  let a = x & vec4<u32>(0x7fffffffu);
  let rounded = a + vec4<u32>(0xfffu) + ((a >> vec4<u32>(13u)) & vec4<u32>(1u));
  let m = round(bitcast<vec4<f32>>(a) * TWO_POW_24);
  let small = a < vec4<u32>(F32_HALF_MIN_NORMAL);
  var r: Rounded;
  r.clamped = a > vec4<u32>(F32_HALF_MAX);
  let h = select((rounded - vec4<u32>(REBIAS)) >> vec4<u32>(13u), vec4<u32>(m), small);
  let b = select(rounded & vec4<u32>(0xffffe000u), bitcast<vec4<u32>>(m * TWO_POW_MINUS_24), small);
  r.half = select(h, vec4<u32>(HALF_MAX_BITS), r.clamped) | ((x >> vec4<u32>(16u)) & vec4<u32>(0x8000u));
  r.bits = select(b, vec4<u32>(F32_HALF_MAX), r.clamped) | (x & vec4<u32>(0x80000000u));
  return r;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let v = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (v * 4u >= p.n) { return; }
  let r = round_to_half(w[v]);
  w[v] = r.bits;
  codes[v] = vec2<u32>(r.half.x | (r.half.y << 16u), r.half.z | (r.half.w << 16u));
  // a weight above 65504 means a broken model, so this is practically never reached: uncontended
  if (any(r.clamped)) {
    let real = vec4<u32>(v * 4u) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(p.n);
    atomicAdd(&clamped, dot(vec4<u32>(r.clamped & real), vec4<u32>(1u)));
  }
}
