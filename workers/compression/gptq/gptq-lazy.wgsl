// GPTQ's lazy update after a batch of columns [b1, b2) (BATCH = 32 of them: the last batch, which
// may be shorter, has no columns after it; lazy-update.ts records it): every column j after the
// batch subtracts the batch's errors, w_j -= e_a · U_aj for a = b1, b1 + 1, … in that order (the
// order of gptqReference, so the same floats). GPTQ carries every column, so every product is
// subtracted. This is nearly all of its work (rows · in² / 2 multiply-adds over all batches).
// SparseGPT used this kernel too until sparsegpt/lazy-span.ts, with an EXACT variant that skipped
// the columns it did not carry (the EXACT figures below are from then).
// A register-blocked GEMM: a thread per (8 rows, 8 columns), 64 values in registers over the
// batch; the 4 threads side by side (LANES) take neighbouring columns of the same rows. SwiftShader
// runs 4 invocations as the lanes of one SIMD register and turns a storage load into one vector
// load when the lanes' addresses are consecutive, one load and a broadcast when they are equal, and
// a per-lane gather otherwise: so each U load here is one vector load (consecutive columns) and
// each error load one broadcast (same row), 16 loads feeding 64 multiply-adds. Measured as
// SwiftShader process CPU for the 23 updates of a 3,072 × 768 SparseGPT 2:4 (artifacts/sg-probe,
// medians of 3, interleaved, bit-identical, load ~7-12 on 2 cores): the former thread per (4 rows,
// 16 columns as vec4, the lanes on neighbouring rows: U loads broadcast, error loads gathered)
// 1.61–1.65 s, EXACT 2.15–2.2 s; this 1.11–1.14 s, EXACT 1.59 s. Other blocks, same layout: 4 × 4
// 2.0 s, 8 × 4 1.5 s, 16 × 8 1.14 s (twice the code), 8 lanes 8 columns apart 1.19 s. Workgroup-
// shared tiles of U and the errors (loaded once per workgroup, contiguous, then read from shared
// memory) took 8.3–9.1 s for 4 × 4: with a workgroupBarrier SwiftShader runs the workgroup as
// coroutines and the shared reads are no cheaper than storage ones. A branch in place of `step`'s
// selects took EXACT to 3.0 s.
// The rows of a thread are r0 + 16 i (i < 8) and its columns c0 + 4 i: past the last row or column
// they repeat it and are not stored. The padding columns (in_dim … stride) compute zeros nobody
// reads.

struct Sizes {
  rows: u32,
  in_dim: u32,
  stride: u32, // padded row length of work and U, a multiple of 16
  b1: u32,
  b2: u32,
}

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> u: array<f32>;          // (in, stride) upper (GPTQ: then its factors)
@group(0) @binding(2) var<storage, read_write> work: array<f32>; // (rows, stride)
@group(0) @binding(3) var<storage, read> err: array<f32>;        // (rows, BATCH)

const WORKGROUP_SIZE: u32 = 64u;
const LANES: u32 = 4u;   // threads side by side on the columns of the same rows
const ROWS: u32 = 128u;  // rows a workgroup: WORKGROUP_SIZE / LANES groups × 8: must match lazy-update.ts
const COLS: u32 = 32u;   // columns a workgroup: LANES × 8: must match lazy-update.ts
const BATCH: u32 = 32u;  // columns a batch: must match gptq-block.wgsl and gptq/gpu.ts

// a row's 8 values at columns jl, jh, as the two columns of a matrix (its arithmetic is per
// component, the same f32 operations as on the values one by one)
fn load8(at: u32, jl: vec4<u32>, jh: vec4<u32>) -> mat2x4<f32> {
  return mat2x4<f32>(work[at + jl.x], work[at + jl.y], work[at + jl.z], work[at + jl.w],
                     work[at + jh.x], work[at + jh.y], work[at + jh.z], work[at + jh.w]);
}

fn u8(at: u32, jl: vec4<u32>, jh: vec4<u32>) -> mat2x4<f32> {
  return mat2x4<f32>(u[at + jl.x], u[at + jl.y], u[at + jl.z], u[at + jl.w],
                     u[at + jh.x], u[at + jh.y], u[at + jh.z], u[at + jh.w]);
}

// row o's values less e_a · U_a
fn step(v: mat2x4<f32>, o: u32, a: u32, ua: mat2x4<f32>) -> mat2x4<f32> {
  return v - err[o * BATCH + a] * ua;
}

// row r's values (none past the last row; the padding columns past the stride are not stored)
fn store8(r: u32, jl: vec4<u32>, jh: vec4<u32>, ok: vec4<bool>, v: mat2x4<f32>) {
  if (r >= sizes.rows) { return; }
  let at = r * sizes.stride;
  work[at + jl.x] = v[0].x;
  work[at + jl.y] = v[0].y;
  work[at + jl.z] = v[0].z;
  work[at + jl.w] = v[0].w;
  if (ok.x) { work[at + jh.x] = v[1].x; }
  if (ok.y) { work[at + jh.y] = v[1].y; }
  if (ok.z) { work[at + jh.z] = v[1].z; }
  if (ok.w) { work[at + jh.w] = v[1].w; }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let n = sizes.rows;
  let s = sizes.stride;
  let wg = linear_workgroup(wid, nwg);
  let row_tiles = (n + ROWS - 1u) / ROWS;
  if (wg >= row_tiles * ((s - sizes.b2 + COLS - 1u) / COLS)) { return; }
  // consecutive workgroups share a column tile (its U rows stay in cache)
  let r0 = (wg % row_tiles) * ROWS + lid / LANES;
  let c0 = vec4<u32>(sizes.b2 + (wg / row_tiles) * COLS + lid % LANES);
  let ch = c0 + vec4<u32>(16u, 20u, 24u, 28u);
  // the first 4 columns are inside the stride (it and b2 are multiples of 16)
  let jl = c0 + vec4<u32>(0u, 4u, 8u, 12u);
  let jh = min(ch, vec4<u32>(s - 1u));
  let o = min(vec4<u32>(r0) + vec4<u32>(0u, 16u, 32u, 48u), vec4<u32>(n - 1u));
  let p = min(vec4<u32>(r0) + vec4<u32>(64u, 80u, 96u, 112u), vec4<u32>(n - 1u));
  var v0 = load8(o.x * s, jl, jh);
  var v1 = load8(o.y * s, jl, jh);
  var v2 = load8(o.z * s, jl, jh);
  var v3 = load8(o.w * s, jl, jh);
  var v4 = load8(p.x * s, jl, jh);
  var v5 = load8(p.y * s, jl, jh);
  var v6 = load8(p.z * s, jl, jh);
  var v7 = load8(p.w * s, jl, jh);
  for (var a = 0u; a < BATCH; a++) {
    let ua = u8((sizes.b1 + a) * s, jl, jh);
    v0 = step(v0, o.x, a, ua);
    v1 = step(v1, o.y, a, ua);
    v2 = step(v2, o.z, a, ua);
    v3 = step(v3, o.w, a, ua);
    v4 = step(v4, p.x, a, ua);
    v5 = step(v5, p.y, a, ua);
    v6 = step(v6, p.z, a, ua);
    v7 = step(v7, p.w, a, ua);
  }
  let ok = ch < vec4<u32>(s);
  store8(r0, jl, jh, ok, v0);
  store8(r0 + 16u, jl, jh, ok, v1);
  store8(r0 + 32u, jl, jh, ok, v2);
  store8(r0 + 48u, jl, jh, ok, v3);
  store8(r0 + 64u, jl, jh, ok, v4);
  store8(r0 + 80u, jl, jh, ok, v5);
  store8(r0 + 96u, jl, jh, ok, v6);
  store8(r0 + 112u, jl, jh, ok, v7);
}
