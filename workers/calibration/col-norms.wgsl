// Calibration: n (stride) += Σ_r X[r, j]² for one batch X (rows, stride) whose rows are padded
// with zeros to a multiple of 4 columns (accumulator.ts; 0² adds +0), in row order like
// accumulateColNorms in accumulate.ts (the TS reference): each column still sums alone. A thread
// per 4 neighbouring columns, one vec4 load a row, each column in its lane: on SwiftShader every
// storage load is a per-lane gather and each loop trip carries the lanes' masks, so a quarter of
// the loads and rows taken 8 a trip (the same adds, in the same order) roughly halve the kernel.

struct Sizes { rows: u32, stride4: u32 } // stride4: X's padded row length in vec4s

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;        // (rows, 4 · stride4)
@group(0) @binding(2) var<storage, read_write> n: array<vec4<f32>>;  // (4 · stride4), accumulated in place

const WORKGROUP_SIZE: u32 = 16u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let q = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  let step = sizes.stride4;
  if (q >= step) { return; }
  let rows = sizes.rows;
  var acc = n[q];
  var at = q;
  var r = 0u;
  for (; r + 8u <= rows; r += 8u) {
    let v0 = x[at];
    let v1 = x[at + step];
    let v2 = x[at + 2u * step];
    let v3 = x[at + 3u * step];
    let v4 = x[at + 4u * step];
    let v5 = x[at + 5u * step];
    let v6 = x[at + 6u * step];
    let v7 = x[at + 7u * step];
    var p = v0 * v0;
    acc = acc + p;
    p = v1 * v1;
    acc = acc + p;
    p = v2 * v2;
    acc = acc + p;
    p = v3 * v3;
    acc = acc + p;
    p = v4 * v4;
    acc = acc + p;
    p = v5 * v5;
    acc = acc + p;
    p = v6 * v6;
    acc = acc + p;
    p = v7 * v7;
    acc = acc + p;
    at += 8u * step;
  }
  for (; r < rows; r++) {
    let v = x[at];
    let p = v * v;
    acc = acc + p;
    at += step;
  }
  n[q] = acc;
}
