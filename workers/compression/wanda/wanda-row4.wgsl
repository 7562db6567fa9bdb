// wanda, unstructured, first pass on the (in, out) layout with out a multiple of 4 (a MatMul's B,
// as GPT-2 and most ONNX exports store their linear weights): wanda-row.wgsl's search with a
// thread per 4 neighbouring rows, whose weights of one input are one vec4 load (on SwiftShader a
// load is a gather with a bounds check per invocation: this is a quarter of them), each row in its
// own lane of the counts. Two bits a pass (16 passes: bits 30..29, …, 2..1, then bit 0), three
// candidates T | d · 2^sh a pass; then the tie cut by index (the same T and cut as wanda-row.wgsl)
// and a last pass writing the mask: the 4 rows' bytes of an input are one mask word, so this
// kernel replaces wanda-mask.wgsl there. 768 × 3,072 on SwiftShader at load ~3 on 2 cores (medians
// of 3 with the upload and readback): wanda-row.wgsl + wanda-mask.wgsl 654–741 ms, 4 rows a thread
// 544 ms, with the mask written here

// sizes, w, r, wanda_key and WORKGROUP_SIZE: wanda-common.wgsl, prepended
@group(0) @binding(3) var<storage, read_write> mask: array<u32>;   // (in, out / 4): 1 byte per weight, 1 = kept
@group(0) @binding(4) var<storage, read> w4: array<vec4<f32>>;     // the weights again, as vec4 (in, out / 4)

fn keys(i: u32, q: u32) -> vec4<u32> {
  return bitcast<vec4<u32>>(abs(w4[i * (sizes.out_dim / 4u) + q]) * r[i]) & vec4<u32>(0x7fffffffu);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let q = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  // arrayLength(&w): w (read through w4 here) stays in the layout, so both kernels bind alike
  if (q >= sizes.out_dim / 4u || arrayLength(&w) == 0u) { return; }
  let k = sizes.in_dim;
  let p4 = vec4<u32>(sizes.row_prune);
  let z = vec4<u32>(0u);
  let one = vec4<u32>(1u);
  // per lane (row): T, the largest t with #(key < t) < prune, and below = #(key < T)
  var t = z;
  var below = z;
  if (sizes.row_prune > 0u) {
    for (var p = 0u; p < 16u; p++) {
      let sh = select(29u - 2u * p, 0u, p == 15u);
      let top = select(3u, 1u, p == 15u);
      let c1 = t | vec4<u32>(1u << sh);
      let c2 = t | vec4<u32>(min(2u, top) << sh);
      let c3 = t | vec4<u32>(top << sh);
      var n1 = z;
      var n2 = z;
      var n3 = z;
      for (var i = 0u; i < k; i++) {
        let x = keys(i, q);
        n1 += select(z, one, x < c1);
        n2 += select(z, one, x < c2);
        n3 += select(z, one, x < c3);
      }
      // the counts grow with the candidate: the last one under prune wins
      t = select(select(select(t, c1, n1 < p4), c2, n2 < p4), c3, n3 < p4);
      below = select(select(select(below, n1, n1 < p4), n2, n2 < p4), n3, n3 < p4);
    }
  }
  // the first (prune − below) keys equal to T go: cut is one past the last of them (0: none)
  let ties = p4 - below;
  var cut = z;
  if (any(ties > z)) {
    var seen = z;
    for (var i = 0u; i < k; i++) {
      let eq = keys(i, q) == t;
      seen += select(z, one, eq);
      cut = select(cut, vec4<u32>(i + 1u), eq & (seen == ties) & (cut == z));
    }
  }
  // kept: key > T, or key == T from the cut on
  let shifts = vec4<u32>(0u, 8u, 16u, 24u);
  for (var i = 0u; i < k; i++) {
    let x = keys(i, q);
    let kept = select(z, one, (x > t) | ((x == t) & (vec4<u32>(i) >= cut))) << shifts;
    mask[i * (sizes.out_dim / 4u) + q] = kept.x | kept.y | kept.z | kept.w;
  }
}
