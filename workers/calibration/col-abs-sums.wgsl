// Calibration: a (cols) += Σ_r |X[r, j]| for one batch X (rows, cols) whose rows are `stride` apart
// (the Hessian's batch, padded with zeros: |0| adds +0), a thread per column, in row order like
// accumulateColAbsSums in accumulate.ts (the TS reference). Taken beside every Hessian: AWQ's
// activation size is mean |x_j|.

struct Sizes { rows: u32, cols: u32, stride: u32 }

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> x: array<f32>;        // (rows, stride)
@group(0) @binding(2) var<storage, read_write> a: array<f32>;  // (cols), accumulated in place

const WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let j = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (j >= sizes.cols) { return; }
  var acc = a[j];
  for (var r = 0u; r < sizes.rows; r++) {
    acc = acc + abs(x[r * sizes.stride + j]);
  }
  a[j] = acc;
}
