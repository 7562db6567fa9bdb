// wanda, unstructured, first pass: a thread per output row finds where the row's cut falls, for
// wanda-mask.wgsl to apply. The row prunes its `row_prune` lowest scores |w| · r_i in the order
// (score, input index), the rule of wandaReference in reference.ts. The scores are f32 >= 0, so
// their bits order as they do: the row_prune-th smallest key T is built from the top, two bits a
// pass (16 counting passes over the row: which of T | d · 2^sh, d = 1, 2, 3, still has fewer than
// row_prune keys below it?), then one more pass finds `cut`, one past the input index of the
// (row_prune − below)-th key equal to T. A weight is pruned when key < T, or key == T and i < cut.
// O(17 · in) per row where ranking each weight against its whole row is O(in²): on SwiftShader
// 768 × 3,072 took 56 s that way, against 0.7 s in TS. Threads of a workgroup take neighbouring
// rows: on the (in, out) layout their loads are adjacent.

// sizes, w, r, wanda_key and WORKGROUP_SIZE: wanda-common.wgsl, prepended
@group(0) @binding(3) var<storage, read_write> cuts: array<u32>;   // (out, 2): T, cut

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (o >= sizes.out_dim) { return; }
  let k = sizes.in_dim;
  let prune = sizes.row_prune;
  let base = o * sizes.stride_out;
  let step = sizes.stride_in;
  // T: the largest t with #(key < t) < prune (the prune-th smallest key); below = #(key < T)
  var t = 0u;
  var below = 0u;
  if (prune > 0u) {
    // two bits a pass (30..29, 28..27, …, 2..1, then bit 0): the counts grow with the candidate,
    // so the last one with fewer than `prune` keys below it is T's next digits
    for (var p = 0u; p < 16u; p++) {
      let sh = select(29u - 2u * p, 0u, p == 15u);
      let top = select(3u, 1u, p == 15u);
      let c1 = t | (1u << sh);
      let c2 = t | (min(2u, top) << sh);
      let c3 = t | (top << sh);
      var n1 = 0u;
      var n2 = 0u;
      var n3 = 0u;
      for (var i = 0u; i < k; i++) {
        let x = wanda_key(w[base + i * step], r[i]);
        n1 += u32(x < c1);
        n2 += u32(x < c2);
        n3 += u32(x < c3);
      }
      if (n3 < prune) {
        t = c3;
        below = n3;
      } else if (n2 < prune) {
        t = c2;
        below = n2;
      } else if (n1 < prune) {
        t = c1;
        below = n1;
      }
    }
  }
  // the first (prune − below) keys equal to T go: cut is one past the last of them (0: none)
  let ties = prune - below;
  var cut = 0u;
  if (ties > 0u) {
    var seen = 0u;
    for (var i = 0u; i < k; i++) {
      if (wanda_key(w[base + i * step], r[i]) == t) {
        seen++;
        if (seen == ties) {
          cut = i + 1u;
          break;
        }
      }
    }
  }
  cuts[2u * o] = t;
  cuts[2u * o + 1u] = cut;
}
