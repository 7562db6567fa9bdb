// int8-channel, int4-group and rtn, pass 2 (reference: quantizeAffine in affine.ts): the codes and
// dequantized weights from the scales and zero points of pass 1 (affine-params.wgsl).
// Each thread takes ELEMENTS_PER_THREAD consecutive stored elements: 4 at a time pack into one
// u32 of code bytes (byte k = element 4t + k, little-endian = the Int8Array/Uint8Array the CPU
// reads back), and the weights are overwritten in place with their dequantized values.
// The thread finds its first element's (row, col) with one division and steps from there, so
// the per-element work is a few multiplies and compares, no integer division.

struct Params {
  n: u32,           // elements
  cols: u32,        // stored columns
  in_out: u32,      // 1: stored (in, out), channel = column; 0: stored (out, in)
  group_shift: u32, // log2(group size) along the input; 31 for one group per channel
  n_groups: u32,    // groups per output channel in the whole tensor
  qmin: i32,
  qmax: i32,
  o_base: u32,      // the chunk's first output channel (out_in chunks of rows)
  g_base: u32,      // the chunk's first group along the input (in_out chunks of rows)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;       // (rows * cols)
@group(0) @binding(2) var<storage, read> scales: array<f32>;        // (out, n_groups)
@group(0) @binding(3) var<storage, read> zero_points: array<u32>;   // (out, n_groups)
@group(0) @binding(4) var<storage, read_write> codes: array<u32>;   // (ceil(n / 4)), 4 bytes each

const WORKGROUP_SIZE: u32 = 64u;
// 16 elements (4 code words) a thread: a thread's fixed cost (its first position, the bounds
// test) is spread over 16 elements, and 38 M weights still make 2.4 M threads, plenty for a GPU.
const ELEMENTS_PER_THREAD: u32 = 16u;

// Quantize element f at (row, col) in place; returns its code byte.
fn quantize_one(f: u32, row: u32, col: u32, cap: u32) -> u32 {
  let o = select(row, col, p.in_out == 1u);
  let i = select(col, row, p.in_out == 1u);
  let g = (o + p.o_base) * p.n_groups + p.g_base + (i >> p.group_shift);
  let s = scales[g];
  let zp = i32(zero_points[g]);
  let x = w[f];
  let r = i32(round_div(abs(x), s, cap));
  let q = clamp(select(zp + r, zp - r, x < 0.0), p.qmin, p.qmax);
  w[f] = f32(q - zp) * s;
  return u32(q) & 0xffu;
}

// The next stored element's (row, col).
fn step(row: ptr<function, u32>, col: ptr<function, u32>) {
  let wrap = *col + 1u == p.cols;
  *col = select(*col + 1u, 0u, wrap);
  *row += u32(wrap);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let first = global_thread(wid, nwg, lid, WORKGROUP_SIZE) * ELEMENTS_PER_THREAD;
  if (first >= p.n) { return; }
  let count = min(ELEMENTS_PER_THREAD, p.n - first);
  let cap = u32(p.qmax - p.qmin);
  var row = first / p.cols;
  var col = first % p.cols;
  if (count == ELEMENTS_PER_THREAD) {
    // every thread but the last: no per-element bounds test (on a CPU emulation, the masked
    // stores such a test makes cost more than the test itself)
    for (var word = 0u; word < ELEMENTS_PER_THREAD / 4u; word++) {
      var packed = 0u;
      for (var k = 0u; k < 4u; k++) {
        packed |= quantize_one(first + word * 4u + k, row, col, cap) << (8u * k);
        step(&row, &col);
      }
      codes[first / 4u + word] = packed;
    }
  } else {
    for (var word = 0u; word * 4u < count; word++) {
      var packed = 0u;
      for (var k = 0u; k < min(4u, count - word * 4u); k++) {
        packed |= quantize_one(first + word * 4u + k, row, col, cap) << (8u * k);
        step(&row, &col);
      }
      codes[first / 4u + word] = packed;
    }
  }
}
