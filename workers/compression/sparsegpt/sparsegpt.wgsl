// sparsegpt: one thread per output row runs SparseGPT's whole column loop for that row (rows are
// independent given U). Same steps and the same f32 operations, in the same order, as
// sparseGptReference in reference.ts: mask selection by the OBS error w² · inv_d2, then for each
// pruned weight e = w · inv_d and w_j -= e · U_aj for every later column j. No division here:
// 1 / U_aa and 1 / U_aa² come from TS. `work` holds each row's running values as (in, out), so
// the threads of a workgroup read and write neighbouring words.

struct Sizes {
  out_dim: u32,
  in_dim: u32,
  stride_out: u32,
  stride_in: u32,
  // N:M: keep n of every m inputs (m = 0: unstructured, block_prune per block)
  keep_n: u32,
  run_m: u32,
  block: u32,
}

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> w: array<f32>;              // stored order (n), dead inputs zeroed
@group(0) @binding(2) var<storage, read> u: array<f32>;              // (in, in) upper
@group(0) @binding(3) var<storage, read> inv: array<f32>;            // 1 / U_aa (in), then 1 / U_aa² (in)
@group(0) @binding(4) var<storage, read> block_prune: array<u32>;    // per block of `block` columns
@group(0) @binding(5) var<storage, read_write> work: array<f32>;     // (in, out)
@group(0) @binding(6) var<storage, read_write> out: array<f32>;      // stored order (n)
@group(0) @binding(7) var<storage, read_write> mask_loss: array<u32>; // stored order (n) 1 = kept, then (out) row loss bits

const WORKGROUP_SIZE: u32 = 64u;
// bits of one block's mask: block <= 128
const MASK_WORDS: u32 = 4u;

var<private> pruned: array<u32, MASK_WORDS>;

fn score(o: u32, i: u32) -> f32 {
  let x = work[i * sizes.out_dim + o];
  return (x * x) * inv[sizes.in_dim + i];
}

// marks (bit i - base) the `count` lowest scores of columns [first, last), ties to the lower index
fn select_lowest(o: u32, first: u32, last: u32, count: u32, base: u32) {
  for (var i = first; i < last; i++) {
    let s = score(o, i);
    var rank = 0u;
    for (var j = first; j < last; j++) {
      let t = score(o, j);
      if (t < s || (t == s && j < i)) { rank++; }
    }
    let bit = i - base;
    if (rank < count) {
      pruned[bit / 32u] |= 1u << (bit % 32u);
    } else {
      pruned[bit / 32u] &= ~(1u << (bit % 32u));
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
  for (var i = 0u; i < k; i++) {
    work[i * n + o] = w[offset_of(o, i, sizes.stride_out, sizes.stride_in)];
  }
  var loss = 0.0;
  for (var b1 = 0u; b1 < k; b1 += sizes.block) {
    let b2 = min(k, b1 + sizes.block);
    if (sizes.run_m == 0u) {
      select_lowest(o, b1, b2, block_prune[b1 / sizes.block], b1);
    }
    for (var a = b1; a < b2; a++) {
      if (sizes.run_m > 0u && a % sizes.run_m == 0u) {
        let end = min(k, a + sizes.run_m);
        let len = end - a;
        select_lowest(o, a, end, select(0u, len - sizes.keep_n, len > sizes.keep_n), b1);
      }
      let x = work[a * n + o];
      let bit = a - b1;
      let p = (pruned[bit / 32u] & (1u << (bit % 32u))) != 0u;
      let q = select(x, 0.0, p);
      let at = offset_of(o, a, sizes.stride_out, sizes.stride_in);
      out[at] = q;
      mask_loss[at] = u32(!p);
      let d = x - q;
      if (d != 0.0) {
        loss = loss + (d * d) * inv[k + a];
        let e = d * inv[a];
        let row = a * k;
        for (var j = a + 1u; j < k; j++) {
          work[j * n + o] = work[j * n + o] - e * u[row + j];
        }
      }
    }
  }
  mask_loss[n * k + o] = bitcast<u32>(loss);
}
