// nf4, pass 2 (reference: nf4Code and the element loop of nf4/reference.ts): 4 stored elements a
// thread (one u32 of code bytes). The code is the number of boundaries fround(MID[j] * a) at or
// below w: products are correctly rounded in WGSL, a division would not be, so this is bit-exact.
// The weights are overwritten in place with NF4[q] * a.

struct Params {
  n: u32,
  cols: u32,     // stored columns
  in_dim: u32,
  in_out: u32,   // 1: stored (in, out)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
@group(0) @binding(2) var<storage, read> absmax: array<f32>;
@group(0) @binding(3) var<storage, read> book: array<f32, 31>; // 16 code values, then 15 midpoints
@group(0) @binding(4) var<storage, read_write> codes: array<u32>;

const WORKGROUP_SIZE: u32 = 64u;
const BLOCK: u32 = 64u;

fn quantize_one(f: u32) -> u32 {
  let row = f / p.cols;
  let col = f % p.cols;
  let o = select(row, col, p.in_out == 1u);
  let i = select(col, row, p.in_out == 1u);
  let a = absmax[(o * p.in_dim + i) / BLOCK];
  let x = w[f];
  var q = 0u;
  for (var j = 0u; j < 15u; j++) { q += u32(x >= book[16u + j] * a); }
  w[f] = book[q] * a;
  return q;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let first = global_thread(wid, nwg, lid, WORKGROUP_SIZE) * 4u;
  if (first >= p.n) { return; }
  var packed = 0u;
  for (var k = 0u; k < min(4u, p.n - first); k++) { packed |= quantize_one(first + k) << (8u * k); }
  codes[first / 4u] = packed;
}
