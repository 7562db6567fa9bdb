// magnitude-prune, select pass (run 4 times, most significant byte first): histogram of one byte
// of the |w| keys over the elements whose higher bytes equal the prefix chosen so far.
// The CPU scans the 256 bins between passes to pick the bin that holds the k-th smallest key.

struct Params {
  n: u32,
  prefix_mask: u32, // bits already decided (0 on the first pass)
  prefix: u32,      // their values
  shift: u32,       // 24, 16, 8, 0: the byte counted by this pass
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<u32>;               // f32 bits (rows * cols)
@group(0) @binding(2) var<storage, read_write> hist: array<atomic<u32>, 256>;

// 256 threads: one per bin when the workgroup's histogram is cleared and flushed. Each thread
// counts ELEMENTS_PER_THREAD strided elements so a workgroup adds to the global bins once per
// CHUNK elements instead of once per element (atomics are slow, on SwiftShader above all).
const WORKGROUP_SIZE: u32 = 256u;
const ELEMENTS_PER_THREAD: u32 = 16u;
const CHUNK: u32 = WORKGROUP_SIZE * ELEMENTS_PER_THREAD;

var<workgroup> local_hist: array<atomic<u32>, 256>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  atomicStore(&local_hist[lid], 0u);
  workgroupBarrier();
  let base = linear_workgroup(wid, nwg) * CHUNK;
  for (var k = 0u; k < ELEMENTS_PER_THREAD; k++) {
    let f = base + k * WORKGROUP_SIZE + lid;
    if (f < p.n) {
      let key = abs_key(w[f]);
      if ((key & p.prefix_mask) == p.prefix) {
        atomicAdd(&local_hist[(key >> p.shift) & 0xffu], 1u);
      }
    }
  }
  workgroupBarrier();
  let c = atomicLoad(&local_hist[lid]);
  if (c > 0u) { atomicAdd(&hist[lid], c); }
}
