// Calibration: H (cols, cols) += Xᵀ X for one batch X (rows, cols), a thread per element of H.
// Each thread sums its products in row order, starting from the running H, exactly like
// accumulateHessian in accumulate.ts (the TS reference): acc = acc + x[r, i] * x[r, j].

struct Sizes { rows: u32, cols: u32 }

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> x: array<f32>;        // (rows, cols)
@group(0) @binding(2) var<storage, read_write> h: array<f32>;  // (cols, cols), accumulated in place

const WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let e = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  let cols = sizes.cols;
  if (e >= cols * cols) { return; }
  let i = e / cols;
  let j = e % cols;
  var acc = h[e];
  for (var r = 0u; r < sizes.rows; r++) {
    let p = x[r * cols + i] * x[r * cols + j];
    acc = acc + p;
  }
  h[e] = acc;
}
