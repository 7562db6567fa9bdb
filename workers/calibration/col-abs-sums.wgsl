// Calibration: a (stride) += Σ_r |X[r, j]| for one batch X (rows, stride) whose rows are padded
// with zeros to a multiple of 4 columns (the Hessian's batch: |0| adds +0), in row order like
// accumulateColAbsSums in accumulate.ts (the TS reference). Taken beside every Hessian: AWQ's
// activation size is mean |x_j|. A thread per 4 neighbouring columns with vec4 loads and rows 8 a
// trip, as col-norms.wgsl (why: there).

struct Sizes { rows: u32, stride4: u32 } // stride4: X's padded row length in vec4s

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;        // (rows, 4 · stride4)
@group(0) @binding(2) var<storage, read_write> a: array<vec4<f32>>;  // (4 · stride4), accumulated in place

const WORKGROUP_SIZE: u32 = 16u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let q = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  let step = sizes.stride4;
  if (q >= step) { return; }
  let rows = sizes.rows;
  var acc = a[q];
  var at = q;
  var r = 0u;
  for (; r + 8u <= rows; r += 8u) {
    let v0 = abs(x[at]);
    let v1 = abs(x[at + step]);
    let v2 = abs(x[at + 2u * step]);
    let v3 = abs(x[at + 3u * step]);
    let v4 = abs(x[at + 4u * step]);
    let v5 = abs(x[at + 5u * step]);
    let v6 = abs(x[at + 6u * step]);
    let v7 = abs(x[at + 7u * step]);
    acc = acc + v0;
    acc = acc + v1;
    acc = acc + v2;
    acc = acc + v3;
    acc = acc + v4;
    acc = acc + v5;
    acc = acc + v6;
    acc = acc + v7;
    at += 8u * step;
  }
  for (; r < rows; r++) {
    acc = acc + abs(x[at]);
    at += step;
  }
  a[q] = acc;
}
