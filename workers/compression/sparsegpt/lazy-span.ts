/**
 * SparseGPT's lazy update in spans of 128 columns: after each batch of 32 columns the batch kernel
 * (nm-batch.ts, sparsegpt.wgsl) has pruned, its errors go onto the later columns of the same span
 * only; after a span's last batch, the span's 128 errors go onto every column after the span in one
 * pass. Every later column j still subtracts e_a · U_aj for a = 0, 1, … in order, one rounding
 * each (the order of sparseGptReference): only when they are applied moves. Why spans: the update
 * is nearly all of the work (rows · in² / 2 multiply-adds), and on SwiftShader each pass over the
 * remaining columns loads and stores every value as a per-lane gather and scatter (google/swiftshader
 * src/Reactor/SIMD.hpp, Pointer4::Load: offsets not known at compile time are gathered), so
 * 4× fewer passes over them do the same products with ~1/3 of the value loads and stores, in 6 big
 * dispatches instead of 23 shrinking ones for in = 768.
 * A register-blocked GEMM like gptq-lazy.wgsl's (GPTQ's, left as it is): a thread per (ROWS_PER_LANE
 * rows, 8 columns); the 4 threads side by side (LANES, SwiftShader's 4 SIMD lanes) take
 * neighbouring columns of the same rows, so each U load feeds ROWS_PER_LANE rows and each error
 * load 8 columns.
 * Measured as SwiftShader's GPU-process CPU for one 768 × 3,072 (in, out) 2:4 call, whole call,
 * bit-identical to TS (artifacts/sg-probe, load 3-6 on 2 cores, old and new files alternated):
 * gptq-lazy.wgsl after every batch 1.34-1.53 s (median 1.38), these spans 1.15-1.39 s (1.22);
 * rows a thread 8 / 12 / 16: medians 1.30 / 1.17 / 1.15 s. Tried: a thread per (row, 8 columns)
 * looping over the row's carried bits only (half the products for 2:4, no divergence: the lanes
 * share the row) took 2.5-2.9 s: its U loads feed one row each, and on SwiftShader the loads, not
 * the products, are the cost (the batch kernels and one submit are ~0.2 s of the whole).
 * With the device's subgroups (quads.ts), the 4 threads of a quad each load a different one of the
 * 4 errors a step uses and hand them round (quadBroadcast): one error load where each thread loaded
 * the same one. Same call, 5 runs alternated at load 3.5-4: 1.25 -> 1.06 s (medians); 24 or 32 rows
 * a thread then 0.95 and 1.02 s against 1.01 (within the noise: 16 kept).
 * EXACT: without a −0 weight an error not carried is 0 and the product
 * 0 · U_aj leaves every value as it is, so every product is subtracted; with one, a product is
 * kept or dropped by the row's carried bit.
 */
import type { KernelRun } from '../shared/kernel-run';
import { sparseGptPipeline } from './quads';

/** Columns a span: the row length of the batch kernels' error buffer; carried bits are SPAN / 32 words a row. */
export const SPAN = 128;
const LANES = 4;
/** rows a thread: 16 halves the U loads per product of 8 (measured below) */
const ROWS_PER_LANE = 16;
const ROWS = (64 / LANES) * ROWS_PER_LANE;
const COLS = LANES * 8;

const LANE_NAMES = ['x', 'y', 'z', 'w'];

/** A function reading a row's 8 values of `buffer` at columns jl, jh as a mat2x4 (per-component arithmetic: the same f32 operations as one by one). */
const gather8 = (name: string, buffer: string) =>
  `fn ${name}(at: u32, jl: vec4<u32>, jh: vec4<u32>) -> mat2x4<f32> {\n  return mat2x4<f32>(${['jl', 'jh'].flatMap((j) => LANE_NAMES.map((l) => `${buffer}[at + ${j}.${l}]`)).join(', ')});\n}`;

function wgsl(exact: boolean, quad: boolean): string {
  const rows = Array.from({ length: ROWS_PER_LANE }, (_, i) => i);
  // with subgroups each lane loads a different one of the 4 errors a step uses and the quad hands them round
  const error = (i: number, m: number) => (quad ? `quadBroadcast(el${i}, ${m}u)` : `err[o${i} * SPAN + sizes.aoff + a + ${m}u]`);
  const step = (m: number) => [
    `      {`,
    `        let ua = u8((sizes.a1 + a + ${m}u) * s, jl, jh);`,
    ...rows.map((i) => `        v${i} = step(v${i}, ${error(i, m)}, ${exact ? `bits${i}` : '0u'}, a - w + ${m}u, ua);`),
    `      }`,
  ];
  return `const EXACT: bool = ${exact};
struct Sizes {
  rows: u32,
  stride: u32, // padded row length of work and U, a multiple of 16
  a1: u32,     // the errors of columns [a1, a1 + count): count 32 or 128, a multiple of 32
  count: u32,
  aoff: u32,   // a1 − its span's first column: where they sit in a row of err and carried
  c1: u32,     // the columns updated: [c1, c2), c1 a multiple of 32
  c2: u32,
}

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> u: array<f32>;          // (in, stride) upper
@group(0) @binding(2) var<storage, read_write> work: array<f32>; // (rows, stride)
@group(0) @binding(3) var<storage, read> err: array<f32>;        // (rows, SPAN): e_a at a − span start
@group(0) @binding(4) var<storage, read> carried: array<u32>;    // (rows, SPAN / 32): bit a − span start; read only when EXACT

const LANES: u32 = ${LANES}u;
const ROWS: u32 = ${ROWS}u;
const COLS: u32 = ${COLS}u;
const SPAN: u32 = ${SPAN}u;

${gather8('load8', 'work')}
${gather8('u8', 'u')}

// v less e · U_a (unless EXACT and bit t of the row's carried word is clear); selects, not a branch
fn step(v: mat2x4<f32>, e: f32, bits: u32, t: u32, ua: mat2x4<f32>) -> mat2x4<f32> {
  let d = v - e * ua;
  let keep = !EXACT || ((bits >> t) & 1u) == 1u;
  return mat2x4<f32>(select(v[0], d[0], keep), select(v[1], d[1], keep));
}

// row r's values at the columns before c2 (none past the last row)
fn store8(r: u32, jl: vec4<u32>, jh: vec4<u32>, okl: vec4<bool>, okh: vec4<bool>, v: mat2x4<f32>) {
  if (r >= sizes.rows) { return; }
  let at = r * sizes.stride;
${['l', 'h'].flatMap((h, c) => LANE_NAMES.map((l) => `  if (ok${h}.${l}) { work[at + j${h}.${l}] = v[${c}].${l}; }`)).join('\n')}
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let n = sizes.rows;
  let s = sizes.stride;
  let row_tiles = (n + ROWS - 1u) / ROWS;
  let col_tiles = (sizes.c2 - sizes.c1 + COLS - 1u) / COLS;
  let wg = linear_workgroup(wid, nwg);
  if (wg >= row_tiles * col_tiles) { return; }
  // consecutive workgroups share a column tile (its U rows stay in cache)
  let r0 = (wg % row_tiles) * ROWS + lid / LANES;
  let c0 = vec4<u32>(sizes.c1 + (wg / row_tiles) * COLS + lid % LANES);
  let cl = c0 + vec4<u32>(0u, 4u, 8u, 12u);
  let ch = c0 + vec4<u32>(16u, 20u, 24u, 28u);
  // past the padded row a thread's columns repeat its last one and are not stored
  let jl = min(cl, vec4<u32>(s - 1u));
  let jh = min(ch, vec4<u32>(s - 1u));
${rows.map((i) => `  let o${i} = min(r0 + ${16 * i}u, n - 1u);\n  var v${i} = load8(o${i} * s, jl, jh);`).join('\n')}
  // 32 errors a trip (one carried word), 4 a step
  for (var w = 0u; w < sizes.count; w += 32u) {
${exact ? rows.map((i) => `    let bits${i} = carried[o${i} * (SPAN / 32u) + (sizes.aoff + w) / 32u];`).join('\n') : ''}
    for (var a = w; a < w + 32u; a += 4u) {
${quad ? rows.map((i) => `      let el${i} = err[o${i} * SPAN + sizes.aoff + a + lid % LANES];`).join('\n') : ''}
${[0, 1, 2, 3].flatMap(step).join('\n')}
    }
  }
  let okl = cl < vec4<u32>(sizes.c2);
  let okh = ch < vec4<u32>(sizes.c2);
${rows.map((i) => `  store8(r0 + ${16 * i}u, jl, jh, okl, okh, v${i});`).join('\n')}
}
`;
}

/** The kernel's pipeline, compiled once per device and `exact`. */
export function lazySpanPipeline(device: GPUDevice, exact: boolean): Promise<GPUComputePipeline> {
  return sparseGptPipeline(device, `sparsegpt lazy span${exact ? ' exact' : ''}`, (quads) => wgsl(exact, quads));
}

export interface SpanBuffers {
  u: GPUBuffer;
  work: GPUBuffer;
  /** (rows, SPAN) errors, (rows, SPAN / 32) carried bits, as the batch kernels write them */
  err: GPUBuffer;
  carried: GPUBuffer;
}

/**
 * Records what follows the batch [b1, b2) of `k` columns (rows padded to `stride`): its errors onto
 * the rest of its span, or after a span's last batch the span's errors onto every later column.
 */
export function recordLazySpan(run: KernelRun, pipeline: GPUComputePipeline, b: SpanBuffers, rows: number, k: number, stride: number, b1: number, b2: number, exact: boolean): void {
  const start = b1 - (b1 % SPAN);
  const end = Math.min(k, start + SPAN);
  let a1 = b1;
  let c1 = b2;
  let c2 = end;
  if (b2 >= end) {
    if (end >= k) return; // the last span: nothing after it
    [a1, c1, c2] = [start, end, stride];
  }
  const count = c1 - a1;
  const workgroups = Math.ceil(rows / ROWS) * Math.ceil((c2 - c1) / COLS);
  const buffers = [run.uniform('sparsegpt lazy span sizes', [rows, stride, a1, count, a1 - start, c1, c2]), b.u, b.work, b.err];
  run.dispatch(pipeline, exact ? [...buffers, b.carried] : buffers, workgroups);
}
