// unstructured sparsegpt, one batch of columns [b1, b2) (at most BATCH = 32, inside one mask block
// of 128; N:M runs nm-batch.ts's kernel instead): a
// thread per output row selects the block's mask at its first batch, prunes
// the batch's columns one by one and carries each pruned weight's error onto the batch's later
// columns (rows are independent given U). The columns after the batch get the batch's errors
// from lazy-span.ts's update, dispatched next (gptq-lazy.wgsl's until its spans). Same f32 operations in the same order as
// sparseGptReference in reference.ts: mask selection by the OBS error w² · inv_d2, then for each
// pruned weight e = w · inv_d and w_j -= e · U_aj for every later column j (every column j still
// subtracts e_a · U_aj for a = 0, 1, … in order, one rounding each; only when they are applied
// moves). No division here: 1 / U_aa and 1 / U_aa² come from TS.
// `work` holds each row's running values, rows padded to `stride` columns (a multiple of 16, the
// padding 0), and U's rows likewise, read as vec4: on SwiftShader every storage access is a
// per-invocation gather with a bounds check, so four floats a load (the rest of column a's vec4
// goes one by one, so finished columns are never touched). A finished column's value (0 when
// pruned) is written over it: `work` comes back as the result.
// The selection of the `count` lowest errors (ties to the lower index) is a bitwise search for the
// count-th smallest error's bits (errors are f32 >= 0, so their bits order as they do): 8 passes
// over the block's columns, four bits a pass, then the ties cut by index, where ranking each column
// against the block took 128² reads a block. Measured on 768 × 3,072 (in, out) on SwiftShader at
// load ~16-19 on 2 cores: the old kernel (the whole loop in one thread per row, scalar loads,
// the quadratic rank) 36.5 s against 8.6 s in TS (one round); the whole loop a thread per row
// with vec4 loads and this selection 7.6 s against 7.9 s, but 2:4 7.8 s against 2.9 s (medians
// of 3): the update, rows · in² / 4 multiply-adds, needs gptq-lazy.wgsl's tiles. With them
// (gptq-lazy.wgsl, shared since), medians of 3: 3.3 s vs 6.0 s TS at load ~10, but 2.6–3.3 s vs 2.2 s at
// load ~3, and 2:4 2.6–2.9 s vs 1.0–1.5 s: the tiles do the dense rows · in² / 2 where TS skips
// the kept half (4 neighbouring rows rarely keep the same column), so 2:4 is still slower here.
// Where 2:4 loses, as CPU time of SwiftShader's process for one 768 × 3,072 call (steadier than
// wall time on a loaded machine): the lazy update 1.7–1.9 s, this kernel 0.72–0.75 s (the 2:4
// selection ~0.08 s of it, the in-batch update ~0.25 s), the 47 dispatches' overhead ~0.04 s, one
// submit and one readback; TS takes 1.1 s of one core. Tried, all bit-exact, on that call: a
// thread per (row, 32 columns) looping over the row's carried bits (skips the kept half, but the
// U loads are no longer shared by 4 rows) 1.5–1.85 s vs 1.65–2.0 s for the tiles; the tiles with
// each row's 2 of 4 U rows picked by selects (as many operations) 1.8–2.0 s; 8 rows a thread
// 1.5–1.7 s; this kernel with the batch in a shifting register window 0.63–0.68 s. None brings
// the ~2.5 s near TS's 1.1 s, so none is kept. Since, gptq-lazy.wgsl is a register-blocked GEMM
// (8 rows × 8 columns a thread, SwiftShader's 4 lanes on neighbouring columns: vector U loads,
// broadcast error loads; workgroup-shared tiles were 5× slower, see there): the same call, old
// kernel then new, 5 runs each at load ~3.5: SwiftShader CPU 2.26–2.32 s -> 1.78–1.96 s, wall
// (kernelMs, medians of 5) 2.51 s -> 1.13–1.21 s, TS 0.87–0.99 s (0.94–0.97 s CPU). Still above TS:
// the update still does the dense half TS skips, and this kernel's ~0.7 s. Since, N:M runs
// nm-batch.ts's kernel in this one's place (the batch in registers: 0.27 s of SwiftShader CPU on
// that call, see there).

struct Sizes {
  out_dim: u32,
  in_dim: u32,
  stride: u32,     // padded row length of work and U, a multiple of 16
  block: u32,
  mask_words: u32, // u32 words of one row's kept bits: ceil(in / 32)
  b1: u32,
  b2: u32,
}

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> u: array<vec4<f32>>;          // (in, stride) upper
@group(0) @binding(2) var<storage, read> inv: array<vec4<f32>>;        // 1 / U_aa (stride), then 1 / U_aa² (stride)
@group(0) @binding(3) var<storage, read> block_prune: array<u32>;      // per block of `block` columns
@group(0) @binding(4) var<storage, read_write> work: array<vec4<f32>>; // (rows, stride), dead inputs zeroed
@group(0) @binding(5) var<storage, read_write> kept_loss: array<u32>;  // (rows, mask_words) 1 = kept, natural order, then (rows) row loss bits
@group(0) @binding(6) var<storage, read_write> pruned: array<u32>;     // (rows, MASK_WORDS): the current block's selection, bit (i − block start)
@group(0) @binding(7) var<storage, read_write> err: array<vec4<f32>>;  // (rows, SPAN) e_a at a − span start, 0 where nothing is carried
@group(0) @binding(8) var<storage, read_write> carried: array<u32>;    // (rows, SPAN / 32): bit a − span start set where e_a is carried (the weight was pruned and not 0)

const WORKGROUP_SIZE: u32 = 64u;
// bits of one block's mask: block <= 128
const MASK_WORDS: u32 = 4u;
// columns a dispatch prunes (b2 - b1 <= BATCH): must match lazy-span.ts and gpu.ts
const BATCH: u32 = 32u;
// errors a row of err holds, and their carried bits (SPAN / 32 words): lazy-span.ts's span
const SPAN: u32 = 128u;

var<private> sel_at: u32;

// 1 / U_aa and 1 / U_aa², stored as two rows of `stride`
fn inv_d(a: u32) -> f32 {
  return inv[a / 4u][a % 4u];
}

fn inv_d2(a: u32) -> f32 {
  let at = sizes.stride + a;
  return inv[at / 4u][at % 4u];
}

// the OBS errors' bits of columns 4·i4 … 4·i4 + 3 (−0 as +0, as the reference's comparison has
// it); a column outside [first, last) gets 0xffffffff, above every key and every candidate
fn keys4(row: u32, i4: u32, first: u32, last: u32) -> vec4<u32> {
  let x = work[row + i4];
  let kk = bitcast<vec4<u32>>((x * x) * inv[sizes.stride / 4u + i4]) & vec4<u32>(0x7fffffffu);
  let idx = vec4<u32>(4u * i4) + vec4<u32>(0u, 1u, 2u, 3u);
  return select(vec4<u32>(0xffffffffu), kk, (idx >= vec4<u32>(first)) & (idx < vec4<u32>(last)));
}

// (T, below): the count-th smallest key of columns [first, last) (first a multiple of 4) and how
// many are below it, built from the top four bits a pass (the counts of keys below T | d · 2^sh
// grow with d, so the largest d with fewer than `count` below is T's next digit)
fn kth_key(row: u32, first: u32, last: u32, count: u32) -> vec2<u32> {
  var t = 0u;
  var below = 0u;
  let d0 = vec4<u32>(1u, 2u, 3u, 4u);
  let z = vec4<u32>(0u);
  let one = vec4<u32>(1u);
  let c4 = vec4<u32>(count);
  for (var p = 0u; p < 8u; p++) {
    // bits 30..27, 26..23, …, 6..3, then 2..0 (digits up to 7)
    let sh = vec4<u32>(select(27u - 4u * p, 0u, p == 7u));
    let top = vec4<u32>(select(15u, 7u, p == 7u));
    let g0 = min(d0, top);
    let g1 = min(d0 + 4u, top);
    let g2 = min(d0 + 8u, top);
    let g3 = min(d0 + 12u, top);
    let k0 = vec4<u32>(t) | (g0 << sh);
    let k1 = vec4<u32>(t) | (g1 << sh);
    let k2 = vec4<u32>(t) | (g2 << sh);
    let k3 = vec4<u32>(t) | (g3 << sh);
    var n0 = z;
    var n1 = z;
    var n2 = z;
    var n3 = z;
    for (var i4 = first / 4u; i4 < (last + 3u) / 4u; i4++) {
      let x4 = keys4(row, i4, first, last);
      for (var l = 0u; l < 4u; l++) {
        let x = vec4<u32>(x4[l]);
        n0 += select(z, one, x < k0);
        n1 += select(z, one, x < k1);
        n2 += select(z, one, x < k2);
        n3 += select(z, one, x < k3);
      }
    }
    let dm = max(max(select(z, g0, n0 < c4), select(z, g1, n1 < c4)), max(select(z, g2, n2 < c4), select(z, g3, n3 < c4)));
    let bm = max(max(select(z, n0, n0 < c4), select(z, n1, n1 < c4)), max(select(z, n2, n2 < c4), select(z, n3, n3 < c4)));
    t = t | (max(max(dm.x, dm.y), max(dm.z, dm.w)) << sh.x);
    below = max(below, max(max(bm.x, bm.y), max(bm.z, bm.w)));
  }
  return vec2<u32>(t, below);
}

// unstructured: marks (bit i − first) the `count` lowest keys of the block [first, last), ties to
// the lower index; `first` is a multiple of 128, so the bits fill whole words
fn select_block(row: u32, first: u32, last: u32, count: u32) {
  var t = 0u;
  var below = 0u;
  if (count > 0u) {
    let tb = kth_key(row, first, last, count);
    t = tb.x;
    below = tb.y;
  }
  // the first (count − below) keys equal to T go
  var ties = count - below;
  var word = 0u;
  for (var i4 = first / 4u; i4 < (last + 3u) / 4u; i4++) {
    let x4 = keys4(row, i4, first, last);
    for (var l = 0u; l < 4u; l++) {
      let i = 4u * i4 + l;
      if (i >= last) { break; }
      let x = x4[l];
      var p = x < t;
      if (x == t && ties > 0u) {
        p = true;
        ties--;
      }
      let bit = i - first;
      word |= u32(p) << (bit % 32u);
      if (bit % 32u == 31u || i + 1u == last) {
        pruned[sel_at + bit / 32u] = word;
        word = 0u;
      }
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  let n = sizes.out_dim;
  let k = sizes.in_dim;
  if (o >= n) { return; }
  let stride4 = sizes.stride / 4u;
  let row = o * stride4;
  let b1 = sizes.b1;
  let b2 = sizes.b2;
  // the batch's columns, vec4s up to b2 (b2 is a multiple of 16 but at the end, where padding follows)
  let end4 = (b2 + 3u) / 4u;
  sel_at = o * MASK_WORDS;
  let blk = (b1 / sizes.block) * sizes.block;
  let at_loss = n * sizes.mask_words + o;
  var loss = select(bitcast<f32>(kept_loss[at_loss]), 0.0, b1 == 0u);
  if (b1 == blk) {
    select_block(row, blk, min(k, blk + sizes.block), block_prune[blk / sizes.block]);
  }
  var kept_word = 0u;
  var carry = 0u;
  for (var a = b1; a < b2; a++) {
    let at = row + a / 4u;
    var v = work[at];
    let x = v[a % 4u];
    let bit = a - blk;
    let p = (pruned[sel_at + bit / 32u] & (1u << (bit % 32u))) != 0u;
    let q = select(x, 0.0, p);
    let d = x - q;
    var e = 0.0;
    if (d != 0.0) {
      loss = loss + (d * d) * inv_d2(a);
      e = d * inv_d(a);
      carry |= 1u << (a - b1);
      let ua = a * stride4;
      let uv = u[ua + a / 4u];
      // the rest of a's vec4, column by column, then the batch's later vec4s
      for (var c = a % 4u + 1u; c < 4u; c++) { v[c] = v[c] - e * uv[c]; }
      for (var j4 = a / 4u + 1u; j4 < end4; j4++) {
        work[row + j4] = work[row + j4] - e * u[ua + j4];
      }
    }
    err[(o * SPAN + a % SPAN) / 4u][a % 4u] = e;
    v[a % 4u] = q;
    work[at] = v;
    kept_word |= u32(!p) << (a % 32u);
  }
  // a batch is one word of kept bits: b1 is a multiple of 32
  kept_loss[o * sizes.mask_words + b1 / 32u] = kept_word;
  carried[o * (SPAN / 32u) + (b1 % SPAN) / 32u] = carry;
  kept_loss[at_loss] = bitcast<u32>(loss);
}
