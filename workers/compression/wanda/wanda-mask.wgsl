// wanda, the keep-mask: a thread per 4 weights in stored order (one word of mask bytes). A weight
// (o, i) with score |w| · r_i is pruned
//   unstructured: when its key is below its row's T, or equal to T before the row's cut
//                 (both from wanda-row.wgsl, the row's lowest row_prune in (score, index) order);
//   N:M:          when its rank in (score, input index) order within its run of M inputs is below
//                 the run's prune count (O(M) per weight).
// Same rule as wandaReference in reference.ts. Only the mask comes back: the pruned weights are
// the input with the pruned ones zeroed, made from it on the CPU (gpu.ts).

// sizes, w, r, wanda_key and WORKGROUP_SIZE: wanda-common.wgsl, prepended
@group(0) @binding(3) var<storage, read> cuts: array<u32>;         // (out, 2): T, cut (unstructured)
@group(0) @binding(4) var<storage, read_write> mask: array<u32>;   // (ceil(n / 4)), 1 byte per weight, 1 = kept

fn kept_nm(o: u32, i: u32) -> bool {
  let start = (i / sizes.run_m) * sizes.run_m;
  let end = min(sizes.in_dim, start + sizes.run_m);
  // a short last run of len keeps min(len, N), as nm-prune does
  let len = end - start;
  let prune = select(0u, len - sizes.keep_n, len > sizes.keep_n);
  let s = wanda_key(w[offset_of(o, i, sizes.stride_out, sizes.stride_in)], r[i]);
  var rank = 0u;
  for (var j = start; j < end; j++) {
    let t = wanda_key(w[offset_of(o, j, sizes.stride_out, sizes.stride_in)], r[j]);
    if (t < s || (t == s && j < i)) { rank++; }
  }
  return rank >= prune;
}

fn kept(f: u32) -> bool {
  // (o, i) of stored index f: one of the strides is 1
  var o = f % sizes.out_dim;
  var i = f / sizes.out_dim;
  if (sizes.stride_in == 1u) {
    o = f / sizes.in_dim;
    i = f % sizes.in_dim;
  }
  if (sizes.run_m > 0u) { return kept_nm(o, i); }
  let x = wanda_key(w[f], r[i]);
  let t = cuts[2u * o];
  return x > t || (x == t && i >= cuts[2u * o + 1u]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let word = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  let first = word * 4u;
  if (first >= sizes.n) { return; }
  var packed = 0u;
  for (var k = 0u; k < min(4u, sizes.n - first); k++) { packed |= u32(kept(first + k)) << (8u * k); }
  mask[word] = packed;
}
