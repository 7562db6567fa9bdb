// magnitude-prune, tie pass (only when some but not all keys equal to the threshold are pruned):
// how many keys equal the threshold in each chunk of CHUNK consecutive elements. The CPU finds the
// chunk where the tie quota runs out and scans just that chunk for the exact cut index.

struct Params {
  n: u32,
  threshold: u32, // the k-th smallest |w| key
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<u32>;              // f32 bits (rows * cols)
@group(0) @binding(2) var<storage, read_write> counts: array<u32>;   // (ceil(n / CHUNK))

// Same chunking as radix-histogram.wgsl (256 threads x 16 elements): one count per workgroup.
const WORKGROUP_SIZE: u32 = 256u;
const ELEMENTS_PER_THREAD: u32 = 16u;
const CHUNK: u32 = WORKGROUP_SIZE * ELEMENTS_PER_THREAD;

var<workgroup> local_count: atomic<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  if (lid == 0u) { atomicStore(&local_count, 0u); }
  workgroupBarrier();
  let chunk = linear_workgroup(wid, nwg);
  var c = 0u;
  for (var k = 0u; k < ELEMENTS_PER_THREAD; k++) {
    let f = chunk * CHUNK + k * WORKGROUP_SIZE + lid;
    if (f < p.n && abs_key(w[f]) == p.threshold) { c += 1u; }
  }
  if (c > 0u) { atomicAdd(&local_count, c); }
  workgroupBarrier();
  if (lid == 0u) { counts[chunk] = atomicLoad(&local_count); }
}
