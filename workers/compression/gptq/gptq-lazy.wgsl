// The lazy update after a batch of columns [b1, b2) (BATCH = 32 of them: the last batch, which
// may be shorter, has no columns after it), for GPTQ and SparseGPT alike (lazy-update.ts records
// it): every column j after the batch subtracts the batch's errors, w_j -= e_a · U_aj for
// a = b1, b1 + 1, … in that order (the order of gptqReference and sparseGptReference, so the same
// floats). This is nearly all of either method's work (rows · in² / 2 multiply-adds over all
// batches).
// EXACT (a const lazy-update.ts prepends): SparseGPT's reference skips the columns whose weight
// was not pruned (nothing carried), and so must this when some weight is −0, or a −0 would turn
// +0: then a product is kept or dropped by the row's `carried` bit. Otherwise (GPTQ always, which
// carries every column; SparseGPT without a −0 weight) EXACT is false: an error not carried is 0
// and a product 0 · u_aj leaves every value but −0 as it is (and no −0 arises from other
// values), so every product is subtracted, `carried` is never read (GPTQ binds a placeholder) and
// the compiler drops the selects: at SparseGPT 2:4 on 768 × 3,072 the selects cost ~1.5×.
// A thread per (4 rows, tile of 16 columns): its 64 values stay in sixteen vec4 registers over the
// batch, each U row comes as four vec4 loads shared by the 4 rows and the errors come four at a
// time, so a load feeds 3 multiply-adds. On SwiftShader, where a storage load is a gather with a
// bounds check per invocation, this is what makes the loop beat TS; measured on 256 × 1024 with
// batches of 128 (fastest of 6, this part alone): a thread per (column, row) with scalar loads
// 3,632 ms, (row, 16 columns) with vec4 loads 398–520 ms, 2 rows 285 ms, 4 rows 200–222 ms,
// 8 rows 176–182 ms (twice the code), the 4 × 16 values in a private array instead of named
// registers 612 ms (SwiftShader keeps such an array in memory) — hence the unrolled code below.
// The rows of a thread are p + r · quarter (quarter = ceil(rows / 4)); past the last row they repeat it
// and are not stored. Tiles start at b2 + 16 t, aligned because b2 is a multiple of 32 here and
// the row stride a multiple of 16; the padding columns compute zeros that nobody reads.

struct Sizes {
  rows: u32,
  in_dim: u32,
  stride: u32, // padded row length of work and U, a multiple of 16
  b1: u32,
  b2: u32,
}

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> u: array<vec4<f32>>;          // (in, stride) upper (GPTQ: then its factors)
@group(0) @binding(2) var<storage, read_write> work: array<vec4<f32>>; // (rows, stride)
@group(0) @binding(3) var<storage, read> err: array<vec4<f32>>;        // (rows, BATCH)
@group(0) @binding(4) var<storage, read> carried: array<u32>;          // (rows): bit a − b1, e_a carried; read only when EXACT

const WORKGROUP_SIZE: u32 = 64u;
const TILE: u32 = 16u; // and 4 rows a thread: both must match lazy-update.ts
const BATCH: u32 = 32u; // columns a batch: must match gptq-block.wgsl, sparsegpt.wgsl and both gpu.ts

// a row's carried bits; all set without EXACT (the placeholder GPTQ binds is never read)
fn carried_bits(o: u32) -> u32 {
  if (EXACT) { return carried[o]; }
  return 0xffffffffu;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  let n = sizes.rows;
  let quarter = (n + 3u) / 4u;
  let stride4 = sizes.stride / 4u;
  let tiles = (sizes.stride - sizes.b2) / TILE;
  if (t >= quarter * tiles) { return; }
  // rows p + r·quarter, r < 4 (clamped to the last row past n: computed, not stored)
  let p = t % quarter;
  let col4 = (sizes.b2 + (t / quarter) * TILE) / 4u;
  let o0 = min(p + 0u * quarter, n - 1u);
  let at0 = o0 * stride4 + col4;
  var a0 = work[at0 + 0u];
  var a1 = work[at0 + 1u];
  var a2 = work[at0 + 2u];
  var a3 = work[at0 + 3u];
  let o1 = min(p + 1u * quarter, n - 1u);
  let at1 = o1 * stride4 + col4;
  var b0 = work[at1 + 0u];
  var b1 = work[at1 + 1u];
  var b2 = work[at1 + 2u];
  var b3 = work[at1 + 3u];
  let o2 = min(p + 2u * quarter, n - 1u);
  let at2 = o2 * stride4 + col4;
  var c0 = work[at2 + 0u];
  var c1 = work[at2 + 1u];
  var c2 = work[at2 + 2u];
  var c3 = work[at2 + 3u];
  let o3 = min(p + 3u * quarter, n - 1u);
  let at3 = o3 * stride4 + col4;
  var d0 = work[at3 + 0u];
  var d1 = work[at3 + 1u];
  var d2 = work[at3 + 2u];
  var d3 = work[at3 + 3u];
  let m0 = carried_bits(o0);
  let m1 = carried_bits(o1);
  let m2 = carried_bits(o2);
  let m3 = carried_bits(o3);
  var u_at = sizes.b1 * stride4 + col4;
  for (var a4 = 0u; a4 < BATCH / 4u; a4++) {
    let e04 = err[o0 * (BATCH / 4u) + a4];
    let e14 = err[o1 * (BATCH / 4u) + a4];
    let e24 = err[o2 * (BATCH / 4u) + a4];
    let e34 = err[o3 * (BATCH / 4u) + a4];
    for (var c = 0u; c < 4u; c++) {
      let u0 = u[u_at + 0u];
      let u1 = u[u_at + 1u];
      let u2 = u[u_at + 2u];
      let u3 = u[u_at + 3u];
      let e0 = e04[c];
      let k0 = ((m0 >> (a4 * 4u + c)) & 1u) == 1u;
      a0 = select(a0, a0 - e0 * u0, k0 || !EXACT);
      a1 = select(a1, a1 - e0 * u1, k0 || !EXACT);
      a2 = select(a2, a2 - e0 * u2, k0 || !EXACT);
      a3 = select(a3, a3 - e0 * u3, k0 || !EXACT);
      let e1 = e14[c];
      let k1 = ((m1 >> (a4 * 4u + c)) & 1u) == 1u;
      b0 = select(b0, b0 - e1 * u0, k1 || !EXACT);
      b1 = select(b1, b1 - e1 * u1, k1 || !EXACT);
      b2 = select(b2, b2 - e1 * u2, k1 || !EXACT);
      b3 = select(b3, b3 - e1 * u3, k1 || !EXACT);
      let e2 = e24[c];
      let k2 = ((m2 >> (a4 * 4u + c)) & 1u) == 1u;
      c0 = select(c0, c0 - e2 * u0, k2 || !EXACT);
      c1 = select(c1, c1 - e2 * u1, k2 || !EXACT);
      c2 = select(c2, c2 - e2 * u2, k2 || !EXACT);
      c3 = select(c3, c3 - e2 * u3, k2 || !EXACT);
      let e3 = e34[c];
      let k3 = ((m3 >> (a4 * 4u + c)) & 1u) == 1u;
      d0 = select(d0, d0 - e3 * u0, k3 || !EXACT);
      d1 = select(d1, d1 - e3 * u1, k3 || !EXACT);
      d2 = select(d2, d2 - e3 * u2, k3 || !EXACT);
      d3 = select(d3, d3 - e3 * u3, k3 || !EXACT);
      u_at += stride4;
    }
  }
  work[at0 + 0u] = a0;
  work[at0 + 1u] = a1;
  work[at0 + 2u] = a2;
  work[at0 + 3u] = a3;
  if (p + 1u * quarter < n) {
    work[at1 + 0u] = b0;
    work[at1 + 1u] = b1;
    work[at1 + 2u] = b2;
    work[at1 + 3u] = b3;
  }
  if (p + 2u * quarter < n) {
    work[at2 + 0u] = c0;
    work[at2 + 1u] = c1;
    work[at2 + 2u] = c2;
    work[at2 + 3u] = c3;
  }
  if (p + 3u * quarter < n) {
    work[at3 + 0u] = d0;
    work[at3 + 1u] = d1;
    work[at3 + 2u] = d2;
    work[at3 + 3u] = d3;
  }
}
