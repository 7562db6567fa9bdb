// int8-channel, int4-group and rtn in one pass (reference: rtn/reference.ts and quantizeAffine in
// affine.ts): each thread owns whole groups, finds their range, writes their scale and zero point,
// then quantizes them into codes. Params, quantize and the group's data stay in one thread's
// registers: one dispatch, no second read of the params, no atomics.
// The dequantized weights are not written: the host makes them from the codes when it needs them
// (shared/affine.ts dequantizeAffine, the same product). What the stats need of them (stats.ts) is
// taken here, while each one is in a register: per thread sums of w² and (w - w')² (compensated),
// the zeros of w', max |w - w'| and the inputs that are not finite (the host's validation then
// needs no pass of its own). Each thread writes its own partial (20 bytes; int4 g32 (in, out): 4%
// of its 128 weights' f32 bytes), which the host adds in double: a tree over the workgroup in shared memory, with
// its barriers, made the kernel ~30% slower on SwiftShader (a barrier switches every invocation
// of the workgroup; interleaved A/B on 768 x 3072, 58/59/46 against 86/93/90 ms).
//
// Stored rows are padded to a multiple of 4 (`stride4` vec4s a row, affine-gpu.ts uploads them so),
// and a thread works on vec4s of 4 neighbouring stored elements: one load and one packed code word
// per vec4, and the arithmetic runs 4 lanes at a time (on SwiftShader, where WebGPU runs on the
// CPU, a scalar load or store per element is most of a kernel's time). The padding holds whatever
// the buffer held: its lanes are masked out of the sums (their codes are never read).
//   (in, out) storage: a thread takes 4 neighbouring channels (a vec4 column) over one group of
//     rows; neighbouring threads take neighbouring vec4s of a row.
//   (out, in) storage: a thread takes one channel's group, group_size / 4 consecutive vec4s of
//     its row (a group is a power of two >= 16 or the whole row, so it starts on a vec4).
// The per-group rules, as in the reference:
//   mn = min(0, min w), mx = max(0, max w)
//   symmetric:  scale = max(max(-mn, mx) * inv_levels, min_scale), zp = 0
//   asymmetric: scale = max((mx - mn) * inv_levels, min_scale), zp = round_div(-mn, scale, qmax)
//   code = clamp(zp ± round_div(|w|, scale, qmax - qmin), qmin, qmax), w' = (code - zp) * scale

struct Params {
  n_tiles: u32,        // in_out: vec4 columns (stride4); out_in: rows
  n_groups: u32,       // groups along the input in this chunk
  rows: u32,           // stored rows in this chunk
  stride4: u32,        // vec4s per stored row (padded)
  cols: u32,           // real stored columns
  group_size: u32,     // along the input: rows (in_out) or elements (out_in)
  in_out: u32,         // 1: stored (in, out)
  symmetric: u32,
  inv_levels: u32,     // f32 bits of fround(1 / levels)
  min_scale: u32,      // f32 bits of 2^-100
  qmin: i32,
  qmax: i32,
  o_base: u32,         // this chunk's first output channel (out_in chunks of rows)
  g_base: u32,         // this chunk's first group along the input (in_out chunks of rows)
  n_groups_total: u32, // groups per channel in the whole tensor: the params' row length
  n_workgroups: u32,   // workgroups of this dispatch (a 2D grid may launch a few more)
  partial_base: u32,   // this chunk's first partial in `partials` (one per thread)
}

// One thread's share of the stats' sums (stats.ts ErrorSums).
struct Partial {
  signal: f32,
  noise: f32,
  max_abs: f32,
  zeros: u32,
  nonfinite: u32, // inputs that are NaN or ±Infinity: the host scans for the first only when this is not 0
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<vec4<f32>>;         // (rows, stride4)
@group(0) @binding(2) var<storage, read_write> scales: array<f32>;    // (out, n_groups_total)
@group(0) @binding(3) var<storage, read_write> zero_points: array<u32>;
@group(0) @binding(4) var<storage, read_write> codes: array<u32>;     // (rows, stride4), 4 code bytes each
@group(0) @binding(5) var<storage, read_write> partials: array<Partial>;

const WORKGROUP_SIZE: u32 = 64u;

// A thread's sums, 4 lanes each. Signal and noise are added plainly within a block of at most
// BLOCK vec4s (a group of int4-group is one block), then the block into the total compensated
// (Kahan): an int8 channel of an (in, out) weight is one thread's group of 3,072 rows, and plain f32
// sums that long drift, while a Kahan step per weight costs a fifth of the kernel's arithmetic.
const BLOCK: u32 = 32u;

struct Sums {
  signal: vec4<f32>,
  signal_c: vec4<f32>,
  noise: vec4<f32>,
  noise_c: vec4<f32>,
  max_abs: vec4<f32>,
  zeros: vec4<u32>,
  nonfinite: vec4<u32>,
  // the block being added
  block_signal: vec4<f32>,
  block_noise: vec4<f32>,
}

// w and its w' into the block's sums, `real` the lanes that are weights (not row padding).
fn add_sums(acc: ptr<function, Sums>, x: vec4<f32>, deq: vec4<f32>, real: vec4<bool>) {
  let d = select(vec4<f32>(0.0), x - deq, real);
  let v = select(vec4<f32>(0.0), x, real);
  (*acc).block_signal += v * v;
  (*acc).block_noise += d * d;
  (*acc).max_abs = max((*acc).max_abs, abs(d));
  (*acc).zeros += vec4<u32>(real & (deq == vec4<f32>(0.0)));
  // on the bits: a compiler may assume floats are finite, integer tests it keeps
  let exponent = bitcast<vec4<u32>>(x) & vec4<u32>(0x7f800000u);
  (*acc).nonfinite += vec4<u32>(real & (exponent == vec4<u32>(0x7f800000u)));
}

// The block into the totals (Kahan: y is the block less the running error, (t - sum) - y what adding it lost).
fn end_block(acc: ptr<function, Sums>) {
  var a = *acc;
  let ys = a.block_signal - a.signal_c;
  let ts = a.signal + ys;
  a.signal_c = (ts - a.signal) - ys;
  a.signal = ts;
  let yn = a.block_noise - a.noise_c;
  let tn = a.noise + yn;
  a.noise_c = (tn - a.noise) - yn;
  a.noise = tn;
  a.block_signal = vec4<f32>(0.0);
  a.block_noise = vec4<f32>(0.0);
  *acc = a;
}

fn lane_sum(v: vec4<f32>) -> f32 {
  return (v.x + v.y) + (v.z + v.w);
}

// round_div (common.wgsl) on 4 lanes, with the first guess from a product with 1 / s instead of a
// quotient (the guess is within a step; the boundary tests, the same as the reference's, decide).
// A lane whose test fails stops moving, so stepping all lanes while any moves is the scalar rule.
fn round_div4(a: vec4<f32>, s: vec4<f32>, inv: vec4<f32>, cap: u32) -> vec4<u32> {
  var n = vec4<u32>(min(floor(a * inv + 0.5), vec4<f32>(f32(cap + 1u))));
  for (var k = 0u; k < ROUND_FIX_STEPS; k++) {
    let down = (n > vec4<u32>(0u)) & (a < (vec4<f32>(n) - 0.5) * s);
    if (!any(down)) { break; }
    n -= vec4<u32>(down);
  }
  for (var k = 0u; k < ROUND_FIX_STEPS; k++) {
    let up = (n <= vec4<u32>(cap)) & (a >= (vec4<f32>(n) + 0.5) * s);
    if (!any(up)) { break; }
    n += vec4<u32>(up);
  }
  return min(n, vec4<u32>(cap));
}

struct Grid {
  s: vec4<f32>,
  inv: vec4<f32>,
  zp: vec4<i32>,
}

fn grid_of(mn: vec4<f32>, mx: vec4<f32>) -> Grid {
  let inv_levels = bitcast<f32>(p.inv_levels);
  let min_scale = vec4<f32>(bitcast<f32>(p.min_scale));
  var g: Grid;
  if (p.symmetric == 1u) {
    g.s = max(max(-mn, mx) * inv_levels, min_scale);
    g.zp = vec4<i32>(0);
  } else {
    g.s = max((mx - mn) * inv_levels, min_scale);
    g.zp = vec4<i32>(round_div4(-mn, g.s, 1.0 / g.s, u32(p.qmax)));
  }
  g.inv = 1.0 / g.s;
  return g;
}

struct Quantized {
  code: u32,  // 4 code bytes packed
  deq: vec4<f32>,
}

fn quantize4(x: vec4<f32>, g: Grid, cap: u32) -> Quantized {
  let r = vec4<i32>(round_div4(abs(x), g.s, g.inv, cap));
  let q = clamp(select(g.zp + r, g.zp - r, x < vec4<f32>(0.0)), vec4<i32>(p.qmin), vec4<i32>(p.qmax));
  let b = vec4<u32>(q) & vec4<u32>(0xffu);
  return Quantized(b.x | (b.y << 8u) | (b.z << 16u) | (b.w << 24u), vec4<f32>(q - g.zp) * g.s);
}

fn store_params(o: u32, g: u32, grid: Grid, lane: u32) {
  let at = (o + p.o_base) * p.n_groups_total + g + p.g_base;
  scales[at] = grid.s[lane];
  zero_points[at] = u32(grid.zp[lane]);
}

// (in, out): vec4 column q (channels 4q .. 4q + 3) over rows [g * group_size, ...).
fn in_out_tile(q: u32, g: u32, cap: u32, acc: ptr<function, Sums>) {
  let r0 = g * p.group_size;
  let r1 = min(p.rows, r0 + p.group_size);
  var mn = vec4<f32>(0.0);
  var mx = vec4<f32>(0.0);
  for (var r = r0; r < r1; r++) {
    let x = w[r * p.stride4 + q];
    mn = min(mn, x);
    mx = max(mx, x);
  }
  let grid = grid_of(mn, mx);
  // the padding's lanes past the last channel have no params
  for (var lane = 0u; lane < 4u; lane++) {
    if (q * 4u + lane < p.cols) { store_params(q * 4u + lane, g, grid, lane); }
  }
  let real = vec4<u32>(q * 4u) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(p.cols);
  for (var b0 = r0; b0 < r1; b0 += BLOCK) {
    for (var r = b0; r < min(r1, b0 + BLOCK); r++) {
      let at = r * p.stride4 + q;
      let x = w[at];
      let out = quantize4(x, grid, cap);
      codes[at] = out.code;
      add_sums(acc, x, out.deq, real);
    }
    end_block(acc);
  }
}

// (out, in): channel o's group g, elements [g * group_size, ...) of its row.
fn out_in_tile(o: u32, g: u32, cap: u32, acc: ptr<function, Sums>) {
  let e0 = g * p.group_size;
  let e1 = min(p.cols, e0 + p.group_size);
  let v0 = o * p.stride4 + e0 / 4u;
  let v1 = o * p.stride4 + (e1 + 3u) / 4u;
  var mn = vec4<f32>(0.0);
  var mx = vec4<f32>(0.0);
  for (var v = v0; v < v1; v++) {
    // the row's padding (elements at cols and past) counts as 0, which the range holds anyway
    let e = vec4<u32>((v - o * p.stride4) * 4u) + vec4<u32>(0u, 1u, 2u, 3u);
    let x = select(vec4<f32>(0.0), w[v], e < vec4<u32>(e1));
    mn = min(mn, x);
    mx = max(mx, x);
  }
  let lo = min(min(mn.x, mn.y), min(mn.z, mn.w));
  let hi = max(max(mx.x, mx.y), max(mx.z, mx.w));
  let grid = grid_of(vec4<f32>(lo), vec4<f32>(hi));
  store_params(o, g, grid, 0u);
  for (var b0 = v0; b0 < v1; b0 += BLOCK) {
    for (var v = b0; v < min(v1, b0 + BLOCK); v++) {
      let real = vec4<u32>((v - o * p.stride4) * 4u) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(e1);
      let x = w[v];
      let out = quantize4(x, grid, cap);
      codes[v] = out.code;
      add_sums(acc, x, out.deq, real);
    }
    end_block(acc);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  var acc: Sums;
  // threads past the tiles (the last workgroup's) write zero partials
  if (t < p.n_tiles * p.n_groups) {
    let cap = u32(p.qmax - p.qmin);
    if (p.in_out == 1u) {
      in_out_tile(t % p.n_tiles, t / p.n_tiles, cap, &acc);
    } else {
      out_in_tile(t / p.n_groups, t % p.n_groups, cap, &acc);
    }
  }
  let k = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (k < p.n_workgroups * WORKGROUP_SIZE) {
    partials[p.partial_base + k] = Partial(lane_sum(acc.signal - acc.signal_c), lane_sum(acc.noise - acc.noise_c),
      max(max(acc.max_abs.x, acc.max_abs.y), max(acc.max_abs.z, acc.max_abs.w)), (acc.zeros.x + acc.zeros.y) + (acc.zeros.z + acc.zeros.w),
      (acc.nonfinite.x + acc.nonfinite.y) + (acc.nonfinite.z + acc.nonfinite.w));
  }
}
