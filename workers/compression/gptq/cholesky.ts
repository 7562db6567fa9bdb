/**
 * The dense linear algebra GPTQ needs, in f64 on (K, K) row-major matrices: the upper Cholesky
 * factor U of H⁻¹ (Uᵀ U = H⁻¹), the matrix whose rows carry a column's quantization error to the
 * columns after it.
 *
 * U comes from ONE Cholesky factorization: with P the order reversal and P A P = L Lᵀ,
 * A⁻¹ = P L⁻ᵀ L⁻¹ P, so U = P L⁻¹ P (L⁻¹ is lower, reversed it is upper, and its diagonal is
 * positive: it is THE Cholesky factor) — half the work of inverting A and factoring the inverse
 * again, as the GPTQ reference code does.
 *
 * Both steps run in place in one f64 matrix (K = 3,072 is 75 MB): L is written over the lower
 * triangle, then L⁻¹ (transposed, so every inner loop reads rows) over the upper one, L's diagonal
 * kept aside. They are blocked by TILE rows so that a tile's rows stay in cache while the rows
 * above it stream past once; nearly all the work is the inner products of a tile's rows with
 * another's. Those run in WebAssembly SIMD, four rows by two, two p a lane (row-dots-wasm.ts), on
 * a work matrix from factorWork (reference.ts takes it from there); on any other Float64Array, or
 * without WebAssembly SIMD, in the JS loops below, two rows by two. CPU time in Node at K = 3,072
 * (scripts/time-gptq-factor.ts): plain loops ~3.7 ns a multiply-add, the blocked JS 6.0 s, the
 * WebAssembly 2.2 s; K = 768: 105 -> 51 ms. The sums come in a different order than the plain
 * loops', so U differs from theirs in the last bits of f64 (cholesky.test.ts: within 1e-10
 * relative of the three-pass route of the GPTQ code, also near-singular; it is rounded to f32
 * before use).
 */

import { ACC_COLUMNS, factorWork, wasmKernelOf } from './row-dots-wasm';

export { factorWork };

/** Rows per tile (a tile's rows of the 3,072 shape: 768 KB, within a core's L2); the WebAssembly kernel's too. */
const TILE = ACC_COLUMNS;

/**
 * acc[x * TILE + y] = Σ_{p ∈ [p0, p1)} a[(x0 + x) k + p] · a[(y0 + y) k + p] for x < nx, y < ny:
 * the inner products of two groups of rows, two by two (an odd last row is paired with itself).
 */
function rowDots(a: Float64Array, k: number, x0: number, nx: number, y0: number, ny: number, p0: number, p1: number, acc: Float64Array): void {
  for (let x = 0; x < nx; x += 2) {
    const r0 = (x0 + x) * k;
    const r1 = x + 1 < nx ? r0 + k : r0;
    for (let y = 0; y < ny; y += 2) {
      const q0 = (y0 + y) * k;
      const q1 = y + 1 < ny ? q0 + k : q0;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let p = p0; p < p1; p++) {
        const u0 = a[r0 + p];
        const u1 = a[r1 + p];
        const v0 = a[q0 + p];
        const v1 = a[q1 + p];
        s00 += u0 * v0;
        s01 += u0 * v1;
        s10 += u1 * v0;
        s11 += u1 * v1;
      }
      acc[x * TILE + y] = s00;
      if (y + 1 < ny) acc[x * TILE + y + 1] = s01;
      if (x + 1 < nx) {
        acc[(x + 1) * TILE + y] = s10;
        if (y + 1 < ny) acc[(x + 1) * TILE + y + 1] = s11;
      }
    }
  }
}

/**
 * In place: L with L Lᵀ = A over the lower triangle of `a` (the upper one is left as it was, not
 * read). False if A is not positive definite (then `a` is garbage).
 */
function choleskyInPlace(a: Float64Array, k: number, { dots, acc }: Products): boolean {
  for (let i0 = 0; i0 < k; i0 += TILE) {
    const ni = Math.min(TILE, k - i0);
    for (let j0 = 0; j0 <= i0; j0 += TILE) {
      const nj = Math.min(TILE, k - j0);
      // the columns before this tile, all final: a[i, j] −= Σ_{p < j0} L[i, p] L[j, p]
      if (j0 > 0) {
        dots(a, k, i0, ni, j0, nj, 0, j0, acc);
        for (let x = 0; x < ni; x++) {
          const row = (i0 + x) * k + j0;
          for (let y = 0; y < nj && j0 + y <= i0 + x; y++) a[row + y] -= acc[x * TILE + y];
        }
      }
      // inside the tile, column after column
      for (let x = 0; x < ni; x++) {
        const i = i0 + x;
        const ri = i * k;
        const last = Math.min(j0 + nj, i + 1);
        for (let j = j0; j < last; j++) {
          const rj = j * k;
          let s = a[ri + j];
          for (let p = j0; p < j; p++) s -= a[ri + p] * a[rj + p];
          if (j < i) a[ri + j] = s / a[rj + j];
          else {
            if (!(s > 0)) return false;
            a[ri + i] = Math.sqrt(s);
          }
        }
      }
    }
  }
  return true;
}

/**
 * In place, after choleskyInPlace: (L⁻¹)ᵀ over the upper triangle and diagonal of `a`
 * (a[c k + i] = (L⁻¹)[i, c] for i ≥ c), by forward substitution, L's diagonal moved to `diag`:
 *   (L⁻¹)[c, c] = 1 / L_cc,   (L⁻¹)[i, c] = −Σ_{p ∈ [c, i)} L[i, p] (L⁻¹)[p, c] / L_ii
 */
function invertLowerInPlace(a: Float64Array, k: number, diag: Float64Array, { dots, acc }: Products): void {
  for (let i = 0; i < k; i++) {
    diag[i] = a[i * k + i];
    a[i * k + i] = 1 / diag[i];
  }
  for (let i0 = 0; i0 < k; i0 += TILE) {
    const ni = Math.min(TILE, k - i0);
    for (let c0 = 0; c0 <= i0; c0 += TILE) {
      const nc = Math.min(TILE, k - c0);
      const c1 = c0 + nc;
      // p in the tiles between the two, all final: acc[c, i] = Σ_{p ∈ [c1, i0)} (L⁻¹)[p, c] L[i, p]
      const far = c1 < i0;
      if (far) dots(a, k, c0, nc, i0, ni, c1, i0, acc);
      for (let y = 0; y < nc; y++) {
        const c = c0 + y;
        const rc = c * k;
        for (let x = 0; x < ni; x++) {
          const i = i0 + x;
          if (i <= c) continue;
          const ri = i * k;
          // p from c to i − 1: inside c's tile, then the far tiles (acc), then inside i's tile
          let s = 0;
          const nearEnd = Math.min(c1, i);
          for (let p = c; p < nearEnd; p++) s += a[ri + p] * a[rc + p];
          if (far) s += acc[y * TILE + x];
          for (let p = Math.max(i0, c1); p < i; p++) s += a[ri + p] * a[rc + p];
          a[rc + i] = -s / diag[i];
        }
      }
    }
  }
}

/** The kernel the two steps take their tile products from, and where it leaves them. */
interface Products {
  dots: typeof rowDots;
  acc: Float64Array;
}

/** WebAssembly SIMD on a matrix factorWork made (row-dots-wasm.ts), else the JS loops above. */
function productsFor(work: Float64Array, k: number): Products {
  const wasm = wasmKernelOf(work);
  if (!wasm) return { dots: rowDots, acc: new Float64Array(TILE * TILE) };
  const accOff = k * k;
  return {
    dots: (_a, kk, x0, nx, y0, ny, p0, p1) => wasm.rowDots(kk, x0, nx, y0, ny, p0, p1, accOff),
    acc: wasm.acc,
  };
}

/**
 * U (f32, upper, (k, k) row-major) with Uᵀ U = A⁻¹, where `work` holds P A P (A reversed in both
 * orders; only its lower triangle is read) and is overwritten. Undefined if A is not positive
 * definite. Fastest on a matrix from factorWork (its products then run in WebAssembly).
 */
export function reversedInverseCholeskyF32(work: Float64Array, k: number): Float32Array | undefined {
  const products = productsFor(work, k);
  if (!choleskyInPlace(work, k, products)) return undefined;
  invertLowerInPlace(work, k, new Float64Array(k), products);
  // U[i, j] = (L⁻¹)[k−1−i, k−1−j] = work[(k−1−j) k + k−1−i] for j ≥ i; in tiles, since it reads down columns
  const u = new Float32Array(k * k);
  for (let i0 = 0; i0 < k; i0 += TILE) {
    for (let j0 = i0; j0 < k; j0 += TILE) {
      for (let j = j0; j < Math.min(k, j0 + TILE); j++) {
        const from = (k - 1 - j) * k + k - 1;
        for (let i = i0; i < Math.min(j + 1, i0 + TILE); i++) u[i * k + j] = work[from - i];
      }
    }
  }
  return u;
}

/** Lower Cholesky factor L of a symmetric positive definite A (L Lᵀ = A), or undefined if A is not. */
export function choleskyLower(a: Float64Array, k: number): Float64Array | undefined {
  const work = factorWork(k);
  work.set(a);
  if (!choleskyInPlace(work, k, productsFor(work, k))) return undefined;
  const l = work.slice();
  for (let i = 0; i < k; i++) l.fill(0, i * k + i + 1, i * k + k);
  return l;
}

/** U, upper, f64, with Uᵀ U = A⁻¹ (see the header); undefined if A is not positive definite. */
export function inverseCholeskyUpper(a: Float64Array, k: number): Float64Array | undefined {
  const work = factorWork(k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) work[i * k + j] = a[(k - 1 - i) * k + (k - 1 - j)];
  const products = productsFor(work, k);
  if (!choleskyInPlace(work, k, products)) return undefined;
  invertLowerInPlace(work, k, new Float64Array(k), products);
  const u = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) u[i * k + j] = work[(k - 1 - j) * k + (k - 1 - i)];
  return u;
}
