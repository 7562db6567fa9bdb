// nf4, pass 2 (reference: nf4Code and the element loop of nf4/reference.ts): WORDS u32s of 4
// stored elements a thread (one u32 of code bytes each). The code is the number of boundaries
// fround(MID[j] * a) at or below w: products are correctly rounded in WGSL, a division would not
// be, so this is bit-exact. The dequantized weights NF4[q] * a are not written: the host makes
// them from the codes and block scales when it needs them (gpu.ts), the same product. What the
// stats need of them (stats.ts) is taken here while each is in a register, as in
// shared/affine-quantize.wgsl: a thread's sums of w², (w - w')², the zeros of w', max |w - w'| and
// the inputs that are not finite, one partial a thread, added by the host in double. Writing the
// floats back and reading them back was 4 bytes a weight more than the codes.

struct Params {
  n: u32,
  cols: u32,     // stored columns
  in_dim: u32,
  in_out: u32,   // 1: stored (in, out)
  n_threads: u32,
}

struct Partial {
  signal: f32,
  noise: f32,
  max_abs: f32,
  zeros: u32,
  nonfinite: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> absmax: array<f32>;
@group(0) @binding(3) var<storage, read> book: array<f32, 16>; // the 16 code values (the 15 midpoints are tested as constants)
@group(0) @binding(4) var<storage, read_write> codes: array<u32>;
@group(0) @binding(5) var<storage, read_write> partials: array<Partial>;

const WORKGROUP_SIZE: u32 = 64u;
const BLOCK: u32 = 64u;
// code words a thread: 64 weights, so a partial (20 bytes) is 8 % of their f32 bytes
const WORDS: u32 = 16u;

var<private> signal: f32;
var<private> noise: f32;
var<private> max_abs: f32;
var<private> zeros: u32;
var<private> nonfinite: u32;

fn quantize_one(f: u32) -> u32 {
  let row = f / p.cols;
  let col = f % p.cols;
  let o = select(row, col, p.in_out == 1u);
  let i = select(col, row, p.in_out == 1u);
  let a = absmax[(o * p.in_dim + i) / BLOCK];
  let x = w[f];
  var q = 0u;
  // the 15 midpoints as constants (gpu.ts writes them here, bit for bit): a storage load each was
  // most of the kernel on SwiftShader, where every load is a per-lane gather with a bounds check
  /*MIDPOINT_TESTS*/
  let deq = book[q] * a;
  let d = x - deq;
  signal += x * x;
  noise += d * d;
  max_abs = max(max_abs, abs(d));
  zeros += u32(deq == 0.0);
  // on the bits: a compiler may assume floats are finite, integer tests it keeps
  nonfinite += u32((bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u);
  return q;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (t >= p.n_threads) { return; }
  for (var k = 0u; k < WORDS; k++) {
    let first = (t * WORDS + k) * 4u;
    if (first >= p.n) { break; }
    var packed = 0u;
    for (var e = 0u; e < min(4u, p.n - first); e++) { packed |= quantize_one(first + e) << (8u * e); }
    codes[first / 4u] = packed;
  }
  partials[t] = Partial(signal, noise, max_abs, zeros, nonfinite);
}
