/**
 * cholesky.ts's inner kernel, rowDots, as WebAssembly SIMD: the inner products of 4 rows by 2 rows
 * of an f64 matrix, two p at a time in f64x2 lanes. Written out here instruction by instruction and
 * assembled when first used, so there is no build step and no binary in the repository.
 *
 * Why: the factor U = chol(H⁻¹) was 53 % of GPTQ's time on the 124 M shape, and nearly all of it is
 * this loop. In JS (V8, scalar, a bounds check a load) it ran at ~0.65 ns a multiply-add; with f64x2
 * the whole factor takes 2.7× less CPU time at K = 3,072 (6.0 -> 2.2 s), 2× at K = 768
 * (scripts/time-gptq-factor.ts, Node).
 * WebAssembly reads only its own memory, so the matrix must live there: factorWork hands out the
 * work matrix on a fresh WebAssembly.Memory, with the kernel's 4 × 2-row sums placed after it.
 *
 * The kernel (all offsets in f64 elements, the matrix at 0, `acc` at accOff, TILE = 32 columns a row):
 *   for x in [0, nx) step 4, y in [0, ny) step 2:
 *     acc[(x + i) · 32 + y + j] = Σ_{p ∈ [p0, p1)} a[(x0 + x + i) k + p] · a[(y0 + y + j) k + p]   (i < 4, j < 2)
 * where a row past nx (ny) reads the group's first row again; the sums it writes there (rows up to
 * nx + 3, column ny) are never read. p1 − p0 must be even: cholesky.ts's ranges start and end on
 * tile edges.
 */

/** Columns of the `acc` block (cholesky.ts's TILE). */
export const ACC_COLUMNS = 32;
/** Elements of the `acc` block: rows up to nx + 3 are written. */
export const ACC_ELEMENTS = (ACC_COLUMNS + 4) * ACC_COLUMNS;

type RowDots = (k: number, x0: number, nx: number, y0: number, ny: number, p0: number, p1: number, accOff: number) => void;

// ---- a few opcodes (the WebAssembly core spec, §5.4; SIMD ones behind the 0xfd prefix) ----
const leb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7; // signed: stops when the rest is the sign
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
const uleb = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...uleb(n >>> 7)]);
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];

type Code = number[];
const get = (l: number): Code => [0x20, ...uleb(l)];
const set = (l: number, v: Code): Code => [...v, 0x21, ...uleb(l)];
const i32 = (n: number): Code => [0x41, ...leb(n)];
const add = (a: Code, b: Code): Code => [...a, ...b, 0x6a];
const mul = (a: Code, b: Code): Code => [...a, ...b, 0x6c];
const shl = (a: Code, n: number): Code => [...a, ...i32(n), 0x74];
const lt = (a: Code, b: Code): Code => [...a, ...b, 0x48];
const ge = (a: Code, b: Code): Code => [...a, ...b, 0x4e];
const select = (yes: Code, no: Code, cond: Code): Code => [...yes, ...no, ...cond, 0x1b];
/** block { loop { br_if (exit) out; body; br loop } } */
const whileNot = (exit: Code, body: Code): Code => [0x02, 0x40, 0x03, 0x40, ...exit, 0x0d, 1, ...body, 0x0c, 0, 0x0b, 0x0b];
const v128Load = (addr: Code): Code => [...addr, ...simd(0x00, 4, 0)]; // align 2^4, offset 0
const v128Zero: Code = simd(0x0c, ...new Array(16).fill(0));
const f64x2Add = (a: Code, b: Code): Code => [...a, ...b, ...simd(0xf0)];
const f64x2Mul = (a: Code, b: Code): Code => [...a, ...b, ...simd(0xf2)];
const laneSum = (v: Code): Code => [...v, ...simd(0x21, 0), ...v, ...simd(0x21, 1), 0xa0];
const f64Store = (addr: Code, offset: number, v: Code): Code => [...addr, ...v, 0x39, 3, ...uleb(offset)];

/** The module: one imported memory, one function (see the header). */
function moduleBytes(): Uint8Array<ArrayBuffer> {
  // params 0..7: k x0 nx y0 ny p0 p1 accOff; then i32 locals, then v128 locals
  const [K, X0, NX, Y0, NY, P0, P1, ACC] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [X, Y, R0, R1, R2, R3, Q0, Q1, P, PEND, O] = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
  const S = (i: number, j: number) => 19 + 2 * i + j; // 8 sums, row i of 4, column j of 2
  const [V0, V1, U] = [27, 28, 29];
  const R = [R0, R1, R2, R3];
  const rowBytes = (row: Code) => shl(mul(row, get(K)), 3);
  const body: Code = [
    ...set(PEND, shl(get(P1), 3)),
    ...set(X, i32(0)),
    ...whileNot(ge(get(X), get(NX)), [
      ...set(R0, rowBytes(add(get(X0), get(X)))),
      // rows past nx read row x again
      ...[1, 2, 3].flatMap((i) => set(R[i], select(add(get(R0), mul(get(K), i32(8 * i))), get(R0), lt(add(get(X), i32(i)), get(NX))))),
      ...set(Y, i32(0)),
      ...whileNot(ge(get(Y), get(NY)), [
        ...set(Q0, rowBytes(add(get(Y0), get(Y)))),
        ...set(Q1, select(add(get(Q0), shl(get(K), 3)), get(Q0), lt(add(get(Y), i32(1)), get(NY)))),
        ...[0, 1, 2, 3].flatMap((i) => [0, 1].flatMap((j) => set(S(i, j), v128Zero))),
        ...set(P, shl(get(P0), 3)),
        ...whileNot(ge(get(P), get(PEND)), [
          ...set(V0, v128Load(add(get(Q0), get(P)))),
          ...set(V1, v128Load(add(get(Q1), get(P)))),
          ...[0, 1, 2, 3].flatMap((i) => [
            ...set(U, v128Load(add(get(R[i]), get(P)))),
            ...set(S(i, 0), f64x2Add(get(S(i, 0)), f64x2Mul(get(U), get(V0)))),
            ...set(S(i, 1), f64x2Add(get(S(i, 1)), f64x2Mul(get(U), get(V1)))),
          ]),
          ...set(P, add(get(P), i32(16))),
        ]),
        ...set(O, shl(add(get(ACC), add(mul(get(X), i32(ACC_COLUMNS)), get(Y))), 3)),
        ...[0, 1, 2, 3].flatMap((i) => [0, 1].flatMap((j) => f64Store(get(O), 8 * (i * ACC_COLUMNS + j), laneSum(get(S(i, j)))))),
        ...set(Y, add(get(Y), i32(2))),
      ]),
      ...set(X, add(get(X), i32(4))),
    ]),
  ];
  const locals = vec([[...uleb(11), 0x7f], [...uleb(11), 0x7b]]); // 11 i32 (X to O), 11 v128 (8 sums, V0, V1, U)
  const fn = [...locals, ...body, 0x0b];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([[0x60, ...vec(new Array(8).fill([0x7f])), 0]])), // (i32 × 8) → ()
    ...section(2, vec([[...name('m'), ...name('mem'), 0x02, 0x00, 0x01]])), // memory m.mem, at least 1 page
    ...section(3, vec([[0]])), // of type 0
    ...section(7, vec([[...name('rowDots'), 0x00, 0]])), // function 0
    ...section(10, vec([[...uleb(fn.length), ...fn]])),
  ]);
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is not there (then cholesky.ts runs its JS loops). */
function module(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const bytes = moduleBytes();
      compiled = typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

const kernels = new WeakMap<ArrayBufferLike, { rowDots: RowDots; acc: Float64Array }>();

/**
 * A zeroed (k, k) f64 work matrix for cholesky.ts, on its own WebAssembly memory when SIMD is there
 * (then cholesky.ts's products run in WebAssembly on it, in place), else a plain Float64Array.
 */
export function factorWork(k: number): Float64Array {
  const mod = module();
  if (!mod) return new Float64Array(k * k);
  const bytes = (k * k + ACC_ELEMENTS) * 8;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const rowDots = new WebAssembly.Instance(mod, { m: { mem: memory } }).exports.rowDots as RowDots;
  const work = new Float64Array(memory.buffer, 0, k * k);
  kernels.set(memory.buffer, { rowDots, acc: new Float64Array(memory.buffer, k * k * 8, ACC_ELEMENTS) });
  return work;
}

/** The WebAssembly kernel over `work` if factorWork made it, with its `acc` block. */
export function wasmKernelOf(work: Float64Array): { rowDots: RowDots; acc: Float64Array } | undefined {
  return work.byteOffset === 0 ? kernels.get(work.buffer) : undefined;
}
