// Helpers prepended to every compression kernel (see shared/gpu.ts `pipelineFor`).
// The f32 rules are written down in shared/affine.ts; round_div here must stay its exact twin.

const ROUND_FIX_STEPS: u32 = 4u;

// Large tensors are dispatched as a 2D grid of workgroups (each dimension is at most 65535);
// this is the workgroup's position in the flattened 1D order.
fn linear_workgroup(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wid.x + wid.y * nwg.x;
}

// The invocation's position in the flattened 1D order of all threads.
fn global_thread(wid: vec3<u32>, nwg: vec3<u32>, lid: u32, workgroup_size: u32) -> u32 {
  return linear_workgroup(wid, nwg) * workgroup_size + lid;
}

// |w| from the f32 bits of w, as an unsigned integer: orders exactly like |w| for finite floats,
// and as integer math it never flushes subnormals.
fn abs_key(bits: u32) -> u32 {
  return bits & 0x7fffffffu;
}

// round(a / s) half away from zero for a >= 0, s >= MIN_SCALE, capped at `cap`:
// the n with (n - 0.5) * s <= a < (n + 0.5) * s, each product rounded to f32.
// Same steps as roundDiv in affine.ts, except that a walk stops at its first step that does not
// move: every later step of the reference's fixed ROUND_FIX_STEPS would test the same n and not
// move either, so the answer is the same, with one or two tests per value instead of eight.
fn round_div(a: f32, s: f32, cap: u32) -> u32 {
  var n = u32(min(floor(a / s + 0.5), f32(cap + 1u)));
  for (var k = 0u; k < ROUND_FIX_STEPS; k++) {
    if (!(n > 0u && a < (f32(n) - 0.5) * s)) { break; }
    n -= 1u;
  }
  for (var k = 0u; k < ROUND_FIX_STEPS; k++) {
    if (!(n <= cap && a >= (f32(n) + 0.5) * s)) { break; }
    n += 1u;
  }
  return min(n, cap);
}

// The stored offset of element (o, i) of a weight seen as (out, in).
fn offset_of(o: u32, i: u32, stride_out: u32, stride_in: u32) -> u32 {
  return o * stride_out + i * stride_in;
}
