// magnitude-prune: what the selection passes share, prepended to each of their kernels.
// The k-th smallest |w| key T is found 4 bits at a time, most significant first (8 digits cover
// the 31 key bits). A count pass counts, for the 15 pivots low + j * 2^shift (j = 1..15), the
// keys below each pivot; the select pass picks the last pivot with fewer than k keys below it as
// the new `low`. Counting keys below a pivot is a compare and an add, the same for every
// element: no histogram bins, no atomics, nothing a SIMD machine has to serialize.
// The passes hand their progress to each other in SelectState, on the GPU.

struct SelectState {
  digit: u32,   // the digit the next count pass works on: 0..7 (8 = done)
  low: u32,     // T is in [low, low + 16 << shift); after digit 7, low = T
  below: u32,   // keys < low
  k: u32,       // how many keys are pruned (the rank of T)
  cut_end: u32, // set by tie-cut.wgsl: keys equal to T at this flat index or later are kept
}

// A tensor over the storage binding limit comes in chunks of whole spans, one buffer each (gpu.ts):
// the per-element passes run once per chunk, the counts and the cut are the whole tensor's.
struct Sizes {
  n: u32,         // elements of this chunk's buffer (the whole tensor when it is one chunk)
  threads: u32,   // threads of a count pass over the whole tensor: ceil(n_total / SPAN) * COUNT_WORKGROUP_SIZE
  span_base: u32, // the chunk's first span: its element 0 is flat index span_base * SPAN
  n_total: u32,   // elements of the whole tensor
}

const DIGITS: u32 = 8u;
const PIVOTS: u32 = 15u;
const COUNT_WORKGROUP_SIZE: u32 = 64u;
// Elements a count thread reads, strided by the workgroup size so that neighbouring threads read
// neighbouring words. A workgroup covers SPAN consecutive elements.
const COUNT_PER_THREAD: u32 = 1024u;
const SPAN: u32 = COUNT_WORKGROUP_SIZE * COUNT_PER_THREAD;

fn digit_shift(digit: u32) -> u32 { return 28u - 4u * digit; }
