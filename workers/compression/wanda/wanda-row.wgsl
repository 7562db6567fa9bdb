// wanda, unstructured, first pass: a thread per output row finds where the row's cut falls, for
// wanda-mask.wgsl to apply. The row prunes its `row_prune` lowest scores |w| · r_i in the order
// (score, input index), the rule of wandaReference in reference.ts. The scores are f32 >= 0, so
// their bits order as they do: the row_prune-th smallest key T is built from the top, four bits a
// pass (8 counting passes over the row: which of T | d · 2^sh, d = 1 … 15, still has fewer than
// row_prune keys below it?), then one more pass finds `cut`, one past the input index of the
// (row_prune − below)-th key equal to T. A weight is pruned when key < T, or key == T and i < cut.
// O(9 · in) per row where ranking each weight against its whole row is O(in²): on SwiftShader
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
    // the candidates of a pass as four vec4 compares; the counts grow with d, so the largest d
    // with fewer than `prune` keys below it is T's next digit
    let d0 = vec4<u32>(1u, 2u, 3u, 4u);
    let z = vec4<u32>(0u);
    let one = vec4<u32>(1u);
    let p4 = vec4<u32>(prune);
    for (var p = 0u; p < 8u; p++) {
      // bits 30..27, 26..23, …, 6..3, then 2..0 (digits up to 7)
      let sh = vec4<u32>(select(27u - 4u * p, 0u, p == 7u));
      let top = vec4<u32>(select(15u, 7u, p == 7u));
      let g0 = min(d0, top);
      let g1 = min(d0 + 4u, top);
      let g2 = min(d0 + 8u, top);
      let g3 = min(d0 + 12u, top);
      let c0 = vec4<u32>(t) | (g0 << sh);
      let c1 = vec4<u32>(t) | (g1 << sh);
      let c2 = vec4<u32>(t) | (g2 << sh);
      let c3 = vec4<u32>(t) | (g3 << sh);
      var n0 = z;
      var n1 = z;
      var n2 = z;
      var n3 = z;
      for (var i = 0u; i < k; i++) {
        let x = vec4<u32>(wanda_key(w[base + i * step], r[i]));
        n0 += select(z, one, x < c0);
        n1 += select(z, one, x < c1);
        n2 += select(z, one, x < c2);
        n3 += select(z, one, x < c3);
      }
      let dm = max(max(select(z, g0, n0 < p4), select(z, g1, n1 < p4)), max(select(z, g2, n2 < p4), select(z, g3, n3 < p4)));
      let bm = max(max(select(z, n0, n0 < p4), select(z, n1, n1 < p4)), max(select(z, n2, n2 < p4), select(z, n3, n3 < p4)));
      t = t | (max(max(dm.x, dm.y), max(dm.z, dm.w)) << sh.x);
      below = max(below, max(max(bm.x, bm.y), max(bm.z, bm.w)));
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
