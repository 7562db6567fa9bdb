// Calibration: H (cols, cols) += Xᵀ X for one batch X (rows, cols). A thread per 8 × 8 tile of H
// on or above the diagonal (tile row ti ≤ tile column tj): the other half is the same numbers and
// is mirrored once when H is read (accumulator.ts). Each element still sums its products alone, in
// row order, starting from the running H, exactly like accumulateHessian in accumulate.ts (the TS
// reference): acc = acc + x[r, i] * x[r, j]. X comes with its rows padded with zeros to a multiple
// of 8 columns (accumulator.ts), so a tile's 8 values of a row are two vec4 loads: 4 loads per 64
// products. On SwiftShader (no GPU) each storage load is a gather with a bounds check; measured on
// one batch of 256 rows × 3,072 columns (load 10 on 2 cores, three runs): a 4 × 4 tile read with
// scalar loads 4.2–6.1 s, with vec4 loads 2.6–3.3 s, this 8 × 8 tile 1.8–2.3 s (its 128 sums in
// sixteen vec4 registers, as in gptq-lazy.wgsl). Half the products are not computed at all.

struct Sizes { rows: u32, cols: u32, tiles: u32, stride4: u32 } // stride4: X's padded row length in vec4s (= 2 · tiles)

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;  // (rows, 4 · stride4), zeros past cols
@group(0) @binding(2) var<storage, read_write> h: array<f32>;  // (cols, cols), accumulated in place, upper tiles only

const WORKGROUP_SIZE: u32 = 64u;

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
  let i = ti * 8u;
  let j = tj * 8u;
  var a0 = load4(i + 0u, j);
  var c0 = load4(i + 0u, j + 4u);
  var a1 = load4(i + 1u, j);
  var c1 = load4(i + 1u, j + 4u);
  var a2 = load4(i + 2u, j);
  var c2 = load4(i + 2u, j + 4u);
  var a3 = load4(i + 3u, j);
  var c3 = load4(i + 3u, j + 4u);
  var a4 = load4(i + 4u, j);
  var c4 = load4(i + 4u, j + 4u);
  var a5 = load4(i + 5u, j);
  var c5 = load4(i + 5u, j + 4u);
  var a6 = load4(i + 6u, j);
  var c6 = load4(i + 6u, j + 4u);
  var a7 = load4(i + 7u, j);
  var c7 = load4(i + 7u, j + 4u);
  let stride4 = sizes.stride4;
  for (var r = 0u; r < sizes.rows; r++) {
    let at = r * stride4;
    let xi0 = x[at + 2u * ti];
    let xi1 = x[at + 2u * ti + 1u];
    let xj0 = x[at + 2u * tj];
    let xj1 = x[at + 2u * tj + 1u];
    a0 = a0 + xi0.x * xj0;
    c0 = c0 + xi0.x * xj1;
    a1 = a1 + xi0.y * xj0;
    c1 = c1 + xi0.y * xj1;
    a2 = a2 + xi0.z * xj0;
    c2 = c2 + xi0.z * xj1;
    a3 = a3 + xi0.w * xj0;
    c3 = c3 + xi0.w * xj1;
    a4 = a4 + xi1.x * xj0;
    c4 = c4 + xi1.x * xj1;
    a5 = a5 + xi1.y * xj0;
    c5 = c5 + xi1.y * xj1;
    a6 = a6 + xi1.z * xj0;
    c6 = c6 + xi1.z * xj1;
    a7 = a7 + xi1.w * xj0;
    c7 = c7 + xi1.w * xj1;
  }
  store4(i + 0u, j, a0);
  store4(i + 0u, j + 4u, c0);
  store4(i + 1u, j, a1);
  store4(i + 1u, j + 4u, c1);
  store4(i + 2u, j, a2);
  store4(i + 2u, j + 4u, c2);
  store4(i + 3u, j, a3);
  store4(i + 3u, j + 4u, c3);
  store4(i + 4u, j, a4);
  store4(i + 4u, j + 4u, c4);
  store4(i + 5u, j, a5);
  store4(i + 5u, j + 4u, c5);
  store4(i + 6u, j, a6);
  store4(i + 6u, j + 4u, c6);
  store4(i + 7u, j, a7);
  store4(i + 7u, j + 4u, c7);
}
