// gptq, one batch of columns [b1, b2) (at most BATCH = 32): a thread per output row quantizes the
// batch's columns one by one and carries each column's error onto the batch's later columns (rows
// are independent given U). Same f32 operations in the same order as the column loop of
// gptqReference (reference.ts); no division: 1 / U_aa and 1 / U_aa² come from TS. The columns
// after the batch get its errors from gptq-lazy.wgsl, dispatched next.
// The batch is smaller than the reference's lazy block of 128 and that changes no float: every
// column j still subtracts e_a · U_aj for a = 0, 1, … in order, one rounding each; only when they
// are applied moves. Small batches put nearly all the work (rows · in² / 2) in gptq-lazy.wgsl's
// efficient loop instead of this kernel's, which has only a thread per row.
// `work` holds each row's running values in quantization order, rows padded to `stride` columns
// (a multiple of 16, the padding zero), read and updated as vec4: on SwiftShader every storage
// access is a per-invocation gather with a bounds check, so four floats a load. The update may
// touch the vec4 holding column a and the ones before it in that vec4: they are never read
// again (U is upper, so their U_aj is 0 but for U_aa, and their codes are already written).
// Outputs are (rows, in) in natural column order (gpu.ts scatters them to stored order).
// With a pruning mask (masked.ts: GPTQ on a pruned model) a pruned weight's code is its group's
// zero point, so it dequantizes to exactly 0, and the error of putting it there is carried like any
// other; a group fitted here sees its pruned weights as 0. The later columns' updates need nothing
// new (gptq-lazy.wgsl), so the mask is read here only.

struct Sizes {
  rows: u32,
  in_dim: u32,
  stride: u32,     // padded row length of work and U, a multiple of 16
  b1: u32,
  b2: u32,
  group_size: u32,
  n_groups: u32,
  act_order: u32,  // 1: grids fixed up front (uploaded); 0: fitted here at a group's first column
  qmax: u32,       // codes in [0, qmax], or [-qmax, qmax] when symmetric
  inv_levels: u32, // f32 bits of fround(1 / qmax)
  min_scale: u32,  // f32 bits of 2^-100
  symmetric: u32,  // 1: rtn's symmetric grid (scale from max|w|, zero point 0, signed codes)
  masked: u32,     // 1: `kept` holds the mask; 0: no mask (a 4-byte placeholder is bound)
  mask_words: u32, // u32 words of one row of `kept`: ceil(in / 32)
}

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> order: array<u32>;            // input column quantized at step a
@group(0) @binding(2) var<storage, read> u: array<vec4<f32>>;          // (in, stride) upper, then 1 / U_aa (in), then 1 / U_aa² (in)
@group(0) @binding(3) var<storage, read_write> work: array<vec4<f32>>; // (rows, stride)
@group(0) @binding(4) var<storage, read_write> err: array<vec4<f32>>;  // (rows, BATCH)
@group(0) @binding(5) var<storage, read_write> deq: array<f32>;        // (rows, in)
@group(0) @binding(6) var<storage, read_write> codes_loss: array<u32>; // (rows, in) codes (i32 bits), then (rows) f32 bits of the row loss
@group(0) @binding(7) var<storage, read_write> grid: array<u32>;       // (rows, n_groups) f32 bits of scales, then (rows, n_groups) zero points
@group(0) @binding(8) var<storage, read> kept: array<u32>;             // (rows, mask_words) bits in natural column order, 1 = kept

const WORKGROUP_SIZE: u32 = 64u;
// columns a dispatch quantizes (b2 - b1 <= BATCH): must match gptq-lazy.wgsl and gpu.ts
const BATCH: u32 = 32u;

fn work_at(o: u32, i: u32) -> f32 {
  return work[(o * sizes.stride + i) / 4u][i % 4u];
}

// weight (o, i) is not pruned (always, without a mask)
fn is_kept(o: u32, i: u32) -> bool {
  return sizes.masked == 0u || ((kept[o * sizes.mask_words + i / 32u] >> (i % 32u)) & 1u) == 1u;
}

// 1 / U_aa (which = 0) or 1 / U_aa² (which = 1), stored after U
fn factor(which: u32, a: u32) -> f32 {
  let at = sizes.in_dim * sizes.stride + which * sizes.in_dim + a;
  return u[at / 4u][at % 4u];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  let n = sizes.rows;
  let k = sizes.in_dim;
  if (o >= n) { return; }
  let stride4 = sizes.stride / 4u;
  let grid_zp = n * sizes.n_groups;
  let at_loss = n * k + o;
  var loss = select(bitcast<f32>(codes_loss[at_loss]), 0.0, sizes.b1 == 0u);
  let row = o * stride4;
  let symmetric = sizes.symmetric == 1u;
  let qmax = i32(sizes.qmax);
  let qmin = select(0, -qmax, symmetric);
  for (var a = sizes.b1; a < sizes.b2; a++) {
    let c = order[a];
    let g = o * sizes.n_groups + c / sizes.group_size;
    if (sizes.act_order == 0u && c % sizes.group_size == 0u) {
      // without act order a = c: the group's columns are work[c .. c + group_size), updated so far
      var mn = 0.0;
      var mx = 0.0;
      for (var i = c; i < min(k, c + sizes.group_size); i++) {
        let x = select(0.0, work_at(o, i), is_kept(o, i));
        mn = min(mn, x);
        mx = max(mx, x);
      }
      // rtn's grids (shared/affine.ts): max|w| as max(-min, max) and zero point 0, or the range and its zero point
      let range = select(mx - mn, max(-mn, mx), symmetric);
      let s = max(range * bitcast<f32>(sizes.inv_levels), bitcast<f32>(sizes.min_scale));
      grid[g] = bitcast<u32>(s);
      grid[grid_zp + g] = select(round_div(-mn, s, sizes.qmax), 0u, symmetric);
    }
    let s = bitcast<f32>(grid[g]);
    let zp = i32(grid[grid_zp + g]);
    let w = work_at(o, a);
    let r = i32(round_div(abs(w), s, u32(qmax - qmin)));
    let q = select(zp, clamp(select(zp + r, zp - r, w < 0.0), qmin, qmax), is_kept(o, c));
    let dq = f32(q - zp) * s;
    deq[o * k + c] = dq;
    codes_loss[o * k + c] = bitcast<u32>(q);
    let d = w - dq;
    loss = loss + (d * d) * factor(1u, a);
    let e = d * factor(0u, a);
    err[(o * BATCH + a - sizes.b1) / 4u][(a - sizes.b1) % 4u] = e;
    let u_row = a * stride4;
    for (var j4 = (a + 1u) / 4u; j4 < (sizes.b2 + 3u) / 4u; j4++) {
      work[row + j4] = work[row + j4] - e * u[u_row + j4];
    }
  }
  codes_loss[at_loss] = bitcast<u32>(loss);
}
