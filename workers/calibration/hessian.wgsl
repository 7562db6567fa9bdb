// Calibration: H (cols, cols) += Xᵀ X for one batch X (rows, cols). A thread per 4 × 4 tile of H
// on or above the diagonal (tile row ti ≤ tile column tj): the other half is the same numbers and
// is mirrored once when H is read (accumulator.ts). Each element still sums its products alone, in
// row order, starting from the running H, exactly like accumulateHessian in accumulate.ts (the TS
// reference): acc = acc + x[r, i] * x[r, j]. The tile costs 8 loads of X per 16 products where a
// thread per element cost 32: SwiftShader (no GPU) runs it 1/3 of the time per product, and half
// the products are not computed at all.

struct Sizes { rows: u32, cols: u32, tiles: u32, _pad: u32 }

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> x: array<f32>;        // (rows, cols)
@group(0) @binding(2) var<storage, read_write> h: array<f32>;  // (cols, cols), accumulated in place, upper tiles only

const WORKGROUP_SIZE: u32 = 64u;

// 4 consecutive values of row r from column c, 0 past the last column
fn row4(r: u32, c: u32) -> vec4<f32> {
  let cols = sizes.cols;
  let at = r * cols + c;
  if (c + 3u < cols) { return vec4<f32>(x[at], x[at + 1u], x[at + 2u], x[at + 3u]); }
  var v = vec4<f32>(0.0);
  for (var k = 0u; k < 4u; k++) { if (c + k < cols) { v[k] = x[at + k]; } }
  return v;
}

fn load4(i: u32, j: u32) -> vec4<f32> {
  let cols = sizes.cols;
  var v = vec4<f32>(0.0);
  if (i >= cols) { return v; }
  for (var k = 0u; k < 4u; k++) { if (j + k < cols) { v[k] = h[i * cols + j + k]; } }
  return v;
}

fn store4(i: u32, j: u32, v: vec4<f32>) {
  let cols = sizes.cols;
  if (i >= cols) { return; }
  for (var k = 0u; k < 4u; k++) { if (j + k < cols) { h[i * cols + j + k] = v[k]; } }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let e = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  let tiles = sizes.tiles;
  if (e >= tiles * tiles) { return; }
  let ti = e / tiles;
  let tj = e % tiles;
  if (tj < ti) { return; }
  let i = ti * 4u;
  let j = tj * 4u;
  var a0 = load4(i, j);
  var a1 = load4(i + 1u, j);
  var a2 = load4(i + 2u, j);
  var a3 = load4(i + 3u, j);
  for (var r = 0u; r < sizes.rows; r++) {
    let xi = row4(r, i);
    let xj = row4(r, j);
    // a product, then a sum: each rounded to f32 on its own, like the reference
    let p0 = xi.x * xj;
    let p1 = xi.y * xj;
    let p2 = xi.z * xj;
    let p3 = xi.w * xj;
    a0 = a0 + p0;
    a1 = a1 + p1;
    a2 = a2 + p2;
    a3 = a3 + p3;
  }
  store4(i, j, a0);
  store4(i + 1u, j, a1);
  store4(i + 2u, j, a2);
  store4(i + 3u, j, a3);
}
