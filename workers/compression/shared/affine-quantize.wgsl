// Elementwise step shared by int8-channel and int4-group (reference: quantizeAffine in affine.ts).
// Each thread takes 4 consecutive stored elements, so its 4 codes pack into one u32 (byte k =
// element 4t + k, little-endian = the Int8Array/Uint8Array the CPU reads back), and overwrites
// the weights in place with their dequantized values.

struct Params {
  n: u32,          // elements
  cols: u32,       // stored columns
  in_out: u32,     // 1: stored (in, out), channel = column; 0: stored (out, in)
  group_size: u32, // along the input dimension; = inDim for per-channel
  n_groups: u32,   // groups per output channel
  qmin: i32,
  qmax: i32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;       // (rows * cols)
@group(0) @binding(2) var<storage, read> scales: array<f32>;        // (out, n_groups)
@group(0) @binding(3) var<storage, read> zero_points: array<u32>;   // (out, n_groups)
@group(0) @binding(4) var<storage, read_write> codes: array<u32>;   // (ceil(n / 4)), 4 bytes each

// 64 threads: a multiple of every vendor's SIMD width (32 or 64) and small enough that odd sizes
// waste little; the work per thread is tiny, so occupancy matters more than shared memory.
const WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (t * 4u >= p.n) { return; }
  var packed = 0u;
  for (var k = 0u; k < 4u; k++) {
    let f = t * 4u + k;
    if (f >= p.n) { break; }
    let row = f / p.cols;
    let col = f % p.cols;
    let o = select(row, col, p.in_out == 1u);
    let i = select(col, row, p.in_out == 1u);
    let g = o * p.n_groups + i / p.group_size;
    let s = scales[g];
    let zp = i32(zero_points[g]);
    let x = w[f];
    let r = i32(round_div(abs(x), s, u32(p.qmax - p.qmin)));
    let q = clamp(select(zp + r, zp - r, x < 0.0), p.qmin, p.qmax);
    w[f] = f32(q - zp) * s;
    packed |= (u32(q) & 0xffu) << (8u * k);
  }
  codes[t] = packed;
}
