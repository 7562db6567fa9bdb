// awq, one output row a thread: the row times the per-input-channel scales s of one α, fitted and
// rounded on int4-group's grid per group, dequantized as (q − zp) · scale · fround(1/s). Same f32
// operations in the same order as quantizeRow in reference.ts (1/s comes from TS: no division).
// Two modes: the search (a thread per (α, output row) pair, writes δ = w − ŵ for awq-loss.wgsl,
// rows padded to `kp` with zeros) and the final pass (a thread per row at the chosen α, writes ŵ
// in stored order, the codes, scales and zero points).

struct Sizes {
  threads: u32,
  in_dim: u32,
  kp: u32,          // padded row length of δ, a multiple of 4
  stride_out: u32,
  stride_in: u32,
  group_size: u32,
  n_groups: u32,
  qmax: u32,
  inv_levels: u32,  // f32 bits of fround(1 / qmax)
  min_scale: u32,   // f32 bits of 2^-100
  final_pass: u32,  // 1: ŵ, codes and grids; 0: δ
  out_dim: u32,
  inv_offset: u32,  // where fround(1/s) starts in `scale`: AWQ_GRID · in
}

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> w: array<f32>;                // stored order
@group(0) @binding(2) var<storage, read> pairs: array<u32>;            // per thread: output row, α index
@group(0) @binding(3) var<storage, read> scale: array<f32>;            // (α, in) s, then (α, in) fround(1/s)
@group(0) @binding(4) var<storage, read_write> out: array<f32>;        // search: (threads, kp) δ; final: ŵ in stored order
@group(0) @binding(5) var<storage, read_write> codes_grid: array<u32>; // final: codes in stored order, then (out, n_groups) scale bits, then zero points

const WORKGROUP_SIZE: u32 = 64u;

fn scaled(o: u32, a: u32, i: u32) -> f32 {
  return w[offset_of(o, i, sizes.stride_out, sizes.stride_in)] * scale[a * sizes.in_dim + i];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (t >= sizes.threads) { return; }
  let k = sizes.in_dim;
  let o = pairs[2u * t];
  let a = pairs[2u * t + 1u];
  let inv_at = sizes.inv_offset + a * k;
  let n_codes = sizes.out_dim * k;
  for (var g = 0u; g < sizes.n_groups; g++) {
    let first = g * sizes.group_size;
    let last = min(k, first + sizes.group_size);
    var mn = 0.0;
    var mx = 0.0;
    for (var i = first; i < last; i++) {
      let x = scaled(o, a, i);
      mn = min(mn, x);
      mx = max(mx, x);
    }
    let s = max((mx - mn) * bitcast<f32>(sizes.inv_levels), bitcast<f32>(sizes.min_scale));
    let zp = round_div(-mn, s, sizes.qmax);
    if (sizes.final_pass == 1u) {
      codes_grid[n_codes + o * sizes.n_groups + g] = bitcast<u32>(s);
      codes_grid[n_codes + sizes.out_dim * sizes.n_groups + o * sizes.n_groups + g] = zp;
    }
    for (var i = first; i < last; i++) {
      let x = scaled(o, a, i);
      let r = i32(round_div(abs(x), s, sizes.qmax));
      let q = clamp(select(i32(zp) + r, i32(zp) - r, x < 0.0), 0, i32(sizes.qmax));
      let dq = f32(q - i32(zp)) * s * scale[inv_at + i];
      let at = offset_of(o, i, sizes.stride_out, sizes.stride_in);
      if (sizes.final_pass == 1u) {
        out[at] = dq;
        codes_grid[at] = u32(q);
      } else {
        out[t * sizes.kp + i] = w[at] - dq;
      }
    }
  }
  if (sizes.final_pass == 0u) {
    for (var i = k; i < sizes.kp; i++) { out[t * sizes.kp + i] = 0.0; }
  }
}
