// Calibration: n (cols) += Σ_r X[r, j]² for one batch X (rows, cols), a thread per column,
// in row order like accumulateColNorms in accumulate.ts (the TS reference).

struct Sizes { rows: u32, cols: u32 }

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> x: array<f32>;        // (rows, cols)
@group(0) @binding(2) var<storage, read_write> n: array<f32>;  // (cols), accumulated in place

const WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let j = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  let cols = sizes.cols;
  if (j >= cols) { return; }
  var acc = n[j];
  for (var r = 0u; r < sizes.rows; r++) {
    let v = x[r * cols + j];
    let p = v * v;
    acc = acc + p;
  }
  n[j] = acc;
}
