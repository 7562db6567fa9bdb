// acc (4 · step4) += Σ_r X[r, j]² per column j of X (rows, 4 · step4), rows in order, each square
// and each sum rounded to f32, each column alone. Used by structured-prune's channel sums
// (heads.ts unitSumSquares' first level; X the asked output channels of an (in, out) weight, acc
// cleared first: structured-prune/gpu.ts); the calibration column norms use its twin
// col-norms-texture.wgsl (X in a texture: faster on SwiftShader). A thread per 4 neighbouring
// columns, one vec4 load a row, each column in its lane. On SwiftShader every storage load is a
// per-lane gather and every loop trip carries the lanes' masks: a quarter of the loads, and rows
// taken 8 a trip (the same adds in the same order): 768 × 3,072 in ~7 ms where a row a trip took
// ~12 (scratch page, load ~20).

struct Sizes { rows: u32, step4: u32 } // step4: X's row length in vec4s

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;          // (rows, 4 · step4)
@group(0) @binding(2) var<storage, read_write> acc: array<vec4<f32>>;  // (4 · step4), accumulated in place

// 16: 768 columns are 12 workgroups, work for every core SwiftShader has
const WORKGROUP_SIZE: u32 = 16u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let q = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  let step = sizes.step4;
  if (q >= step) { return; }
  let rows = sizes.rows;
  var s = acc[q];
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
    s = s + p;
    p = v1 * v1;
    s = s + p;
    p = v2 * v2;
    s = s + p;
    p = v3 * v3;
    s = s + p;
    p = v4 * v4;
    s = s + p;
    p = v5 * v5;
    s = s + p;
    p = v6 * v6;
    s = s + p;
    p = v7 * v7;
    s = s + p;
    at += 8u * step;
  }
  for (; r < rows; r++) {
    let v = x[at];
    let p = v * v;
    s = s + p;
    at += step;
  }
  acc[q] = s;
}
