// fp16: round every weight to half (nearest even), twin of f32BitsToHalf in reference.ts. No
// shader-f16 and no pack2x16float: the extension is missing on SwiftShader, and WGSL leaves
// pack2x16float's rounding to the driver. Normal halves are integer math on the f32 bits.
// Subnormal halves use one float operation whose result is exact, so no rounding mode or
// flush-to-zero can change it:
//   f32 -> half:  round(|x| * 2^24)        (|x| >= 2^-25 is a normal f32, the product is exact, and
//                                           WGSL's round() is defined as ties-to-even)
// (|x| < 2^-25 gives a product below 0.5, which rounds to 0 even if the GPU flushes it.)
// Every path is computed and the right one selected: a SIMD machine runs both sides of a branch
// anyway, and the reference's variable shifts cost far more per lane than a multiply.
//
// Layout: only the halves are written (gpu.ts looks their f32 values up on the CPU), two to a u32
// code word (the lower index in the low 16 bits, as a little-endian Uint16Array reads them
// back), and a thread takes 8 neighbouring weights in vec4 lanes: on SwiftShader (WebGPU on the
// CPU) every invocation and every load or store costs more than the bit math, so a thread reads
// two vec4s and writes one. The weights are padded with zeros to whole threads; a zero is never
// clamped, and the padding's codes are not read back.

struct Params {
  threads: u32, // ceil(n / 8)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<vec4<u32>>;           // f32 bits, padded to 8 * threads
@group(0) @binding(2) var<storage, read_write> codes: array<vec4<u32>>; // 2 halves a word
@group(0) @binding(3) var<storage, read_write> clamped: atomic<u32>;    // |w| > 65504, counted

const WORKGROUP_SIZE: u32 = 64u;

const F32_HALF_MAX: u32 = 0x477fe000u;        // 65504
const F32_HALF_MIN_NORMAL: u32 = 0x38800000u; // 2^-14
const HALF_MAX_BITS: u32 = 0x7bffu;
const REBIAS: u32 = 0x38000000u;              // (127 - 15) << 23
const TWO_POW_24: f32 = 16777216.0;

// The half of 4 weights from their f32 bits: for a normal half, round to nearest even at bit 13
// (a carry into the exponent is right) and rebias; for a subnormal one, round(|x| * 2^24).
fn half_of(x: vec4<u32>) -> vec4<u32> {
  let a = x & vec4<u32>(0x7fffffffu);
  let normal = (a + vec4<u32>(0xfffu) + ((a >> vec4<u32>(13u)) & vec4<u32>(1u)) - vec4<u32>(REBIAS)) >> vec4<u32>(13u);
  let subnormal = vec4<u32>(round(bitcast<vec4<f32>>(a) * TWO_POW_24));
  let h = select(normal, subnormal, a < vec4<u32>(F32_HALF_MIN_NORMAL));
  return select(h, vec4<u32>(HALF_MAX_BITS), a > vec4<u32>(F32_HALF_MAX)) | ((x >> vec4<u32>(16u)) & vec4<u32>(0x8000u));
}

fn over_max(x: vec4<u32>) -> vec4<u32> {
  return vec4<u32>((x & vec4<u32>(0x7fffffffu)) > vec4<u32>(F32_HALF_MAX));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (t >= p.threads) { return; }
  let x = w[2u * t];
  let y = w[2u * t + 1u];
  let hx = half_of(x);
  let hy = half_of(y);
  codes[t] = vec4<u32>(hx.xz, hy.xz) | (vec4<u32>(hx.yw, hy.yw) << vec4<u32>(16u));
  // a weight above 65504 means a broken model, so this is practically never reached: uncontended
  let over = over_max(x) + over_max(y);
  if (any(over != vec4<u32>(0u))) {
    atomicAdd(&clamped, dot(over, vec4<u32>(1u)));
  }
}
