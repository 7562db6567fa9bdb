/**
 * SparseGPT N:M's batch kernel, written out column by column: a thread per output row holds the
 * batch's 32 running values in 8 vec4 registers, selects each run's mask (M = 4 or 8 inputs) from
 * them, prunes the batch's columns one by one and carries each error onto the batch's later
 * columns, then stores the values, the errors and the bits once. lazy-span.ts carries the errors
 * onto the columns after the batch, as for unstructured SparseGPT.
 * Why generated: sparsegpt.wgsl loops over the batch's columns with a run-time column index, so
 * every value it reads or updates goes through storage (and a vector indexed by a variable is
 * spilled to memory); unrolled here, the values sit in registers under constant indices and the
 * storage accesses are U's rows, 1 / U_aa's and one load and store of the values. On SwiftShader
 * every storage load whose index is not a compile-time constant is a per-lane gather
 * (google/swiftshader src/Reactor/SIMD.hpp, Pointer::Load: only statically equal or sequential
 * offsets become one load), so what counts is how many loads a result takes, not their addresses.
 * SwiftShader process CPU of one 768 × 3,072 2:4 call (artifacts/sg-probe, load ~10-13 on 2
 * cores, medians of 3): the batch kernels alone 0.70 s with sparsegpt.wgsl's loop, 0.27 s here;
 * the whole call 1.80 -> 1.30-1.36 s (TS 0.97-1.0 s of one core); the rest is gptq-lazy.wgsl's
 * dense update (~1.05 s), which still does the products of the half 2:4 keeps.
 * The f32 operations and their order are sparseGptReference's (reference.ts): mask by the OBS error
 * bits (w² · 1/U_aa², −0 as +0), ties to the lower index; then per column q, d = w − q and, when
 * d ≠ 0, loss += d² · 1/U_aa², e = d · 1/U_aa and w_j −= e · U_aj for the batch's later columns j.
 * EXACT as in lazy-span.ts: without a −0 weight, an update by e = 0 leaves every value as it is,
 * so the selects that skip it are dropped.
 */
import { SPAN } from './lazy-span';

/** Columns a batch: must match BATCH of gpu.ts and lazy-span.ts. */
const BATCH = 32;
const VECS = BATCH / 4;

const HEADER = /* wgsl */ `
struct Sizes {
  out_dim: u32,
  in_dim: u32,
  stride: u32,     // padded row length of work and U, a multiple of 16
  keep_n: u32,     // inputs kept of every run of RUN_M
  mask_words: u32, // u32 words of one row's kept bits: ceil(in / 32)
  b1: u32,         // the batch's columns [b1, b2): b1 a multiple of 32
  b2: u32,         // b1 + 32, or in_dim for the last batch (not read: see column())
}

@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read> u: array<vec4<f32>>;          // (in, stride) upper
@group(0) @binding(2) var<storage, read> inv: array<vec4<f32>>;        // 1 / U_aa (stride), then 1 / U_aa² (stride)
@group(0) @binding(3) var<storage, read_write> work: array<vec4<f32>>; // (rows, stride) running values, dead inputs zeroed
@group(0) @binding(4) var<storage, read_write> kept_loss: array<u32>;  // (rows, mask_words) 1 = kept, then (rows) row loss bits
@group(0) @binding(5) var<storage, read_write> err: array<vec4<f32>>;  // (rows, SPAN) e_a at a − span start, 0 where nothing is carried
@group(0) @binding(6) var<storage, read_write> carried: array<u32>;    // (rows, SPAN / 32): bit a − span start set where e_a is carried

const WORKGROUP_SIZE: u32 = 64u;

// the OBS errors' bits of 4 columns (−0 as +0); a column at or past \`last\` gets 0xffffffff, above every key
fn keys4(x: vec4<f32>, inv2: vec4<f32>, first: u32, last: u32) -> vec4<u32> {
  let kk = bitcast<vec4<u32>>((x * x) * inv2) & vec4<u32>(0x7fffffffu);
  return select(vec4<u32>(0xffffffffu), kk, vec4<u32>(first) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(last));
}

// 1 where key j ranks below key i (lower, or equal at a lower index)
fn below(kj: u32, ki: vec4<u32>, j_first: vec4<bool>) -> vec4<u32> {
  let v = vec4<u32>(kj);
  return select(vec4<u32>(0u), vec4<u32>(1u), (v < ki) | ((v == ki) & j_first));
}

// w − e · U_a (unless EXACT and nothing is carried: then w as it is, a −0 kept)
fn upd(w: vec4<f32>, e: f32, ua: vec4<f32>, carry: bool) -> vec4<f32> {
  let d = w - e * ua;
  if (EXACT) { return select(w, d, vec4<bool>(carry)); }
  return d;
}
`;

const lanes = ['x', 'y', 'z', 'w'];

/** The run of M inputs from batch column t (a multiple of M): its pruned bits (bit c: column t + c) into `pm`. */
function selectRun(m: 4 | 8, t: number): string {
  const g = t / 4;
  const lines = [
    `    {`,
    `      let first = b1 + ${t}u;`,
    `      let last = min(sizes.in_dim, first + ${m}u);`,
    `      let len = select(0u, last - first, last > first);`,
    `      let count = vec4<u32>(select(0u, len - sizes.keep_n, len > sizes.keep_n));`,
    `      let ka = keys4(w${g}, i2_${g}, first, last);`,
  ];
  const keys = ['ka'];
  if (m === 8) {
    lines.push(`      let kb = keys4(w${g + 1}, i2_${g + 1}, first + 4u, last);`);
    keys.push('kb');
  }
  keys.forEach((k, h) => {
    const terms: string[] = [];
    for (let j = 0; j < m; j++) {
      // j before column 4h + c: a tie goes to j
      const first = [0, 1, 2, 3].map((c) => String(j < 4 * h + c)).join(', ');
      terms.push(`below(${keys[j >> 2]}.${lanes[j & 3]}, ${k}, vec4<bool>(${first}))`);
    }
    lines.push(`      let r${h} = ${terms.join(' + ')};`);
    lines.push(`      let p${h} = select(vec4<u32>(0u), vec4<u32>(1u), r${h} < count) << vec4<u32>(${[0, 1, 2, 3].map((c) => `${4 * h + c}u`).join(', ')});`);
  });
  const bits = keys.map((_, h) => lanes.map((l) => `p${h}.${l}`).join(' | ')).join(' | ');
  lines.push(`      pm = (${bits}) & ((1u << len) - 1u);`, `    }`);
  return lines.join('\n');
}

/**
 * One batch column t: prune or keep it, and carry its error onto the batch's later columns. No
 * branch on t < b2 (straight code compiles faster): past the last input (a short last batch) a
 * column's run is empty, so it is kept, and it is not live, so nothing is carried or counted
 * (past the padded row its value may have taken U's next row or an unbound tail: any bits); its
 * value is not read back.
 */
function column(m: 4 | 8, t: number): string {
  const g = t >> 2;
  const c = t & 3;
  const l = lanes[c];
  const run = t - (t % m);
  const later = [0, 1, 2, 3].map((k) => String(k > c)).join(', ');
  const lines = [`  {`];
  if (t % m === 0) lines.push(selectRun(m, t));
  lines.push(
    `    let x = w${g}.${l};`,
    `    let p = ((pm >> ${t - run}u) & 1u) == 1u;`,
    `    let q = select(x, 0.0, p);`,
    `    let d = x - q;`,
    `    let nz = d != 0.0 && ${t}u < live;`,
    `    loss = select(loss, loss + (d * d) * i2_${g}.${l}, nz);`,
    `    let e = select(0.0, d * i1_${g}.${l}, nz);`,
    `    es[${t}] = e;`,
    `    carry |= select(0u, ${2 ** t >>> 0}u, nz);`,
    `    kept |= select(${2 ** t >>> 0}u, 0u, p);`,
  );
  if (c < 3) lines.push(`    w${g} = select(w${g}, upd(w${g}, e, u[(b1 + ${t}u) * stride4 + b4 + ${g}u], nz), vec4<bool>(${later}));`);
  lines.push(`    w${g}.${l} = q;`, `  }`);
  return lines.join('\n');
}

/**
 * The batch's columns group by group (4 columns, a vec4), left-looking: before a group is read, the
 * errors of every earlier column of the batch are carried onto it in column order, in a loop (the
 * errors kept in a private array), so each column still
 * subtracts e_a · U_aj for a = b1, b1 + 1, … in order, and the code stays short (written out for
 * every pair of columns it took SwiftShader 2-5 s to compile). A run of 8 reads two groups.
 */
function groups(m: 4 | 8): string[] {
  const done = new Array<number>(VECS).fill(0);
  const bring = (h: number, upto: number) => {
    if (done[h] >= upto) return [];
    const from = done[h];
    done[h] = upto;
    return [`  for (var a = ${from}u; a < ${upto}u; a++) { w${h} = upd(w${h}, es[a], u[(b1 + a) * stride4 + b4 + ${h}u], ((carry >> a) & 1u) == 1u); }`];
  };
  const out: string[] = [];
  for (let g = 0; g < VECS; g++) {
    out.push(...bring(g, 4 * g));
    if (m === 8 && g % 2 === 0) out.push(...bring(g + 1, 4 * g));
    for (let c = 0; c < 4; c++) out.push(column(m, 4 * g + c));
  }
  return out;
}

/** The kernel's WGSL for runs of `m` inputs; `exact` as lazy-span.ts's EXACT. */
export function nmBatchWgsl(m: 4 | 8, exact: boolean): string {
  const vecs = Array.from({ length: VECS }, (_, g) => g);
  // a vec4 of the batch past the row's padded end (a short last batch) is read as 0 and not stored
  const load = (g: number) => `select(vec4<f32>(0.0), work[min(row + b4 + ${g}u, row + stride4 - 1u)], b4 + ${g}u < stride4)`;
  const body = [
    `@compute @workgroup_size(WORKGROUP_SIZE)`,
    `fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {`,
    `  let o = global_thread(wid, nwg, lid, WORKGROUP_SIZE);`,
    `  let n = sizes.out_dim;`,
    `  if (o >= n) { return; }`,
    `  let stride4 = sizes.stride / 4u;`,
    `  let row = o * stride4;`,
    `  let b1 = sizes.b1;`,
    `  let b4 = b1 / 4u;`,
    `  let live = sizes.in_dim - b1;`,
    `  let at_loss = n * sizes.mask_words + o;`,
    `  var loss = select(bitcast<f32>(kept_loss[at_loss]), 0.0, b1 == 0u);`,
    `  var pm = 0u;`,
    `  var carry = 0u;`,
    `  var kept = 0u;`,
    ...vecs.map((g) => `  var w${g} = ${load(g)};`),
    `  var es: array<f32, ${BATCH}>;`,
    // 1 / U_aa and 1 / U_aa² of the batch's columns (read clamped like the values)
    ...vecs.map((g) => `  let i1_${g} = inv[min(b4 + ${g}u, stride4 - 1u)];`),
    ...vecs.map((g) => `  let i2_${g} = inv[stride4 + min(b4 + ${g}u, stride4 - 1u)];`),
    ...groups(m),
    ...vecs.map((g) => `  if (b4 + ${g}u < stride4) { work[row + b4 + ${g}u] = w${g}; }`),
    // where lazy-span.ts reads them: the batch's place in its span
    `  let in_span = b1 % ${SPAN}u;`,
    ...vecs.map((g) => `  err[o * ${SPAN / 4}u + in_span / 4u + ${g}u] = vec4<f32>(${[0, 1, 2, 3].map((c) => `es[${4 * g + c}]`).join(', ')});`),
    `  kept_loss[o * sizes.mask_words + b1 / 32u] = kept;`,
    `  carried[o * ${SPAN / 32}u + in_span / 32u] = carry;`,
    `  kept_loss[at_loss] = bitcast<u32>(loss);`,
    `}`,
  ];
  return `const EXACT: bool = ${exact};\nconst RUN_M: u32 = ${m}u;\n${HEADER}\n${body.join('\n')}\n`;
}
