// magnitude-prune, tie cut: one workgroup finds the flat index just after the rank-th key equal
// to T, rank = k - below (ties are pruned in index order): first the span (from tie-count.wgsl),
// then the element inside it. Each step sums slices in parallel and lets thread 0 walk the sums.
// When every key equal to T is pruned, the cut is n. A tensor in chunks runs this once per chunk:
// each finds the same span, and the chunk holding it finds the element.

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> w: array<u32>;              // f32 bits (n)
@group(0) @binding(2) var<storage, read_write> state: SelectState;
@group(0) @binding(3) var<storage, read> ties: array<u32>;           // (threads)

const CUT_WORKGROUP_SIZE: u32 = 256u;
const PER_THREAD: u32 = SPAN / CUT_WORKGROUP_SIZE;

var<workgroup> sums: array<u32, CUT_WORKGROUP_SIZE>;
var<workgroup> found_span: u32;
var<workgroup> rank_left: u32;

// ties in span g: its workgroup's threads
fn span_ties(g: u32) -> u32 {
  var c = 0u;
  for (var t = g * COUNT_WORKGROUP_SIZE; t < min((g + 1u) * COUNT_WORKGROUP_SIZE, sizes.threads); t++) { c += ties[t]; }
  return c;
}

@compute @workgroup_size(CUT_WORKGROUP_SIZE)
fn main(@builtin(local_invocation_index) lid: u32) {
  let threshold = state.low;
  // 1. the span: thread i adds spans [i * per, (i + 1) * per)
  let spans = (sizes.threads + COUNT_WORKGROUP_SIZE - 1u) / COUNT_WORKGROUP_SIZE;
  let per = (spans + CUT_WORKGROUP_SIZE - 1u) / CUT_WORKGROUP_SIZE;
  var sum = 0u;
  for (var g = lid * per; g < min((lid + 1u) * per, spans); g++) { sum += span_ties(g); }
  sums[lid] = sum;
  workgroupBarrier();
  if (lid == 0u) {
    var total = 0u;
    for (var i = 0u; i < CUT_WORKGROUP_SIZE; i++) { total += sums[i]; }
    var rank = state.k - state.below;
    if (rank >= total) {
      found_span = spans; // every tie is pruned
    } else {
      var i = 0u;
      while (rank > sums[i]) { rank -= sums[i]; i += 1u; }
      var g = i * per;
      while (rank > span_ties(g)) { rank -= span_ties(g); g += 1u; }
      found_span = g;
      rank_left = rank;
    }
  }
  let span = workgroupUniformLoad(&found_span);
  if (span == spans) {
    if (lid == 0u) { state.cut_end = sizes.n_total; }
    return;
  }
  // the span is another chunk's
  if (span < sizes.span_base || (span - sizes.span_base) * SPAN >= sizes.n) { return; }
  let local_span = span - sizes.span_base;
  // 2. the element: thread i counts ties in elements [i * PER_THREAD, (i + 1) * PER_THREAD) of the span
  let start = local_span * SPAN + lid * PER_THREAD;
  var c = 0u;
  for (var f = start; f < min(start + PER_THREAD, sizes.n); f++) { c += u32(abs_key(w[f]) == threshold); }
  sums[lid] = c;
  workgroupBarrier();
  if (lid == 0u) {
    var rank = rank_left;
    var i = 0u;
    while (i + 1u < CUT_WORKGROUP_SIZE && rank > sums[i]) { rank -= sums[i]; i += 1u; }
    var f = local_span * SPAN + i * PER_THREAD;
    let stop = min(f + PER_THREAD, sizes.n);
    for (; f < stop; f++) {
      if (abs_key(w[f]) == threshold) {
        rank -= 1u;
        if (rank == 0u) { break; }
      }
    }
    state.cut_end = sizes.span_base * SPAN + min(f + 1u, sizes.n);
  }
}
