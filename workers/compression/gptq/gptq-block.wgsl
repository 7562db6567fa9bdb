// gptq, inside one lazy block of columns [b1, b2): a thread per output row quantizes the block's
// columns one by one and carries each column's error onto the block's later columns (rows are
// independent given U). Same f32 operations in the same order as the column loop of
// gptqReference (reference.ts); no division: 1 / U_aa and 1 / U_aa² come from TS. The columns
// after the block get the block's errors from gptq-lazy.wgsl, dispatched next.
// `work` holds the running values as (in, rows) in quantization order, so the threads of a
// workgroup read and write neighbouring words; outputs are (rows, in) in natural column order
// (gpu.ts scatters them to the tensor's stored order).

struct Sizes {
  rows: u32,
  in_dim: u32,
  b1: u32,
  b2: u32,
  group_size: u32,
  n_groups: u32,
  act_order: u32,  // 1: grids fixed up front (uploaded); 0: fitted here at a group's first column
  qmax: u32,
  inv_levels: u32, // f32 bits of fround(1 / qmax)
  min_scale: u32,  // f32 bits of 2^-100
}

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> order: array<u32>;          // input column quantized at step a
@group(0) @binding(2) var<storage, read> u: array<f32>;              // (in, in) upper, then 1 / U_aa (in), then 1 / U_aa² (in)
@group(0) @binding(3) var<storage, read_write> work: array<f32>;     // (in, rows)
@group(0) @binding(4) var<storage, read_write> err: array<f32>;      // (block, rows)
@group(0) @binding(5) var<storage, read_write> deq: array<f32>;      // (rows, in)
@group(0) @binding(6) var<storage, read_write> codes_loss: array<u32>; // (rows, in) codes, then (rows) f32 bits of the row loss
@group(0) @binding(7) var<storage, read_write> grid: array<u32>;     // (rows, n_groups) f32 bits of scales, then (rows, n_groups) zero points

const WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  let n = sizes.rows;
  let k = sizes.in_dim;
  if (o >= n) { return; }
  let grid_zp = n * sizes.n_groups;
  let at_loss = n * k + o;
  var loss = select(bitcast<f32>(codes_loss[at_loss]), 0.0, sizes.b1 == 0u);
  for (var a = sizes.b1; a < sizes.b2; a++) {
    let c = order[a];
    let g = o * sizes.n_groups + c / sizes.group_size;
    if (sizes.act_order == 0u && c % sizes.group_size == 0u) {
      // without act order a = c: the group's columns are work[c .. c + group_size), updated so far
      var mn = 0.0;
      var mx = 0.0;
      for (var i = c; i < min(k, c + sizes.group_size); i++) {
        let x = work[i * n + o];
        mn = min(mn, x);
        mx = max(mx, x);
      }
      let s = max((mx - mn) * bitcast<f32>(sizes.inv_levels), bitcast<f32>(sizes.min_scale));
      grid[g] = bitcast<u32>(s);
      grid[grid_zp + g] = round_div(-mn, s, sizes.qmax);
    }
    let s = bitcast<f32>(grid[g]);
    let zp = i32(grid[grid_zp + g]);
    let w = work[a * n + o];
    let r = i32(round_div(abs(w), s, sizes.qmax));
    let q = clamp(select(zp + r, zp - r, w < 0.0), 0, i32(sizes.qmax));
    let dq = f32(q - zp) * s;
    deq[o * k + c] = dq;
    codes_loss[o * k + c] = u32(q);
    let d = w - dq;
    loss = loss + (d * d) * u[k * k + k + a];
    let e = d * u[k * k + a];
    err[(a - sizes.b1) * n + o] = e;
    let base = a * k;
    for (var j = a + 1u; j < sizes.b2; j++) {
      work[j * n + o] = work[j * n + o] - e * u[base + j];
    }
  }
  codes_loss[at_loss] = bitcast<u32>(loss);
}
