// nm-prune (reference: nm-prune/reference.ts): one thread per run of M weights along the input of
// an output channel. Weight j's rank is the number of run-mates before it in (|w| key, index)
// order; the first max(0, r - N) ranks are zeroed in place (+0) and get mask byte 0.
// M <= 8, so a thread ranks its run in at most 64 compares, with no barriers or atomics.

struct Params {
  out_dim: u32,
  in_dim: u32,
  stride_out: u32,
  stride_in: u32,
  keep: u32,    // N
  m: u32,       // M
  n_runs: u32,  // ceil(in_dim / M)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> w: array<u32>;  // f32 bits, in place
@group(0) @binding(2) var<storage, read_write> mask: array<atomic<u32>>; // 1 byte per element, ORed in

const WORKGROUP_SIZE: u32 = 64u;
const MAX_M: u32 = 8u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = global_thread(wid, nwg, lid, WORKGROUP_SIZE);
  if (t >= p.out_dim * p.n_runs) { return; }
  let o = t / p.n_runs;
  let start = (t % p.n_runs) * p.m;
  let r = min(p.m, p.in_dim - start);
  let prune = select(0u, r - p.keep, r > p.keep);
  var keys: array<u32, MAX_M>;
  for (var j = 0u; j < r; j++) { keys[j] = abs_key(w[offset_of(o, start + j, p.stride_out, p.stride_in)]); }
  for (var j = 0u; j < r; j++) {
    var rank = 0u;
    for (var l = 0u; l < r; l++) { rank += u32(keys[l] < keys[j] || (keys[l] == keys[j] && l < j)); }
    let f = offset_of(o, start + j, p.stride_out, p.stride_in);
    if (rank < prune) {
      w[f] = 0u;
    } else {
      // neighbouring runs may share a mask word: set this element's byte atomically
      atomicOr(&mask[f / 4u], 1u << (8u * (f % 4u)));
    }
  }
}
