// Calibration column norms: acc (4 · width) += Σ_r X[r, j]² per column j, X (rows, 4 · width)
// read from an rgba32float texture (a texel = 4 neighbouring columns of a row), rows in order,
// each square and each sum its own statement, so each rounds to f32 and nothing fuses into an FMA
// (accumulate.ts accumulateColNorms is the reference; X padded with zeros to whole texels adds
// +0). The same sums as col-norms.wgsl, which reads X from a storage buffer: on SwiftShader a
// storage load is a masked gather per lane, a texel fetch one 16-byte load per lane, and the pass
// of the 124 M shape's 48 layer inputs took ~0.78 of the time (norms-batch.ts uploads X here).

struct Sizes { rows: u32, width: u32 } // width: X's row length in texels (vec4s)

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var x: texture_2d<f32>;                          // (rows, width) texels
@group(0) @binding(2) var<storage, read_write> acc: array<vec4<f32>>;  // (4 · width), accumulated in place

// 16: 768 columns are 12 workgroups, work for every core SwiftShader has
const WORKGROUP_SIZE: u32 = 16u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let q = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (q >= sizes.width) { return; }
  let rows = sizes.rows;
  var s = acc[q];
  var r = 0u;
  // 8 rows a trip (the same adds in the same order): fewer loop trips, each carrying the lanes' masks
  for (; r + 8u <= rows; r += 8u) {
    let t0 = textureLoad(x, vec2<u32>(q, r), 0);
    let t1 = textureLoad(x, vec2<u32>(q, r + 1u), 0);
    let t2 = textureLoad(x, vec2<u32>(q, r + 2u), 0);
    let t3 = textureLoad(x, vec2<u32>(q, r + 3u), 0);
    let t4 = textureLoad(x, vec2<u32>(q, r + 4u), 0);
    let t5 = textureLoad(x, vec2<u32>(q, r + 5u), 0);
    let t6 = textureLoad(x, vec2<u32>(q, r + 6u), 0);
    let t7 = textureLoad(x, vec2<u32>(q, r + 7u), 0);
    var sq = t0 * t0;
    s = s + sq;
    sq = t1 * t1;
    s = s + sq;
    sq = t2 * t2;
    s = s + sq;
    sq = t3 * t3;
    s = s + sq;
    sq = t4 * t4;
    s = s + sq;
    sq = t5 * t5;
    s = s + sq;
    sq = t6 * t6;
    s = s + sq;
    sq = t7 * t7;
    s = s + sq;
  }
  for (; r < rows; r++) {
    let t = textureLoad(x, vec2<u32>(q, r), 0);
    let sq = t * t;
    s = s + sq;
  }
  acc[q] = s;
}
