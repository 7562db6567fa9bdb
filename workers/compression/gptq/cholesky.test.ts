// cholesky.ts's factor U = chol(H⁻¹) (one Cholesky of the reversed H, the triangular inverse in
// place, products in WebAssembly SIMD or JS) against the straightforward route of the GPTQ reference
// code, three plain passes: L = chol(H), H⁻¹ = L⁻ᵀ L⁻¹, U = chol(H⁻¹) upper.
import { describe, expect, it } from 'vitest';
import { factorWork, inverseCholeskyUpper, reversedInverseCholeskyF32 } from './cholesky';
import { wasmKernelOf } from './row-dots-wasm';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

/** Plain lower Cholesky, f64. */
function plainCholesky(a: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    let d = a[j * k + j];
    for (let p = 0; p < j; p++) d -= l[j * k + p] ** 2;
    if (!(d > 0)) throw new Error('not positive definite');
    l[j * k + j] = Math.sqrt(d);
    for (let i = j + 1; i < k; i++) {
      let s = a[i * k + j];
      for (let p = 0; p < j; p++) s -= l[i * k + p] * l[j * k + p];
      l[i * k + j] = s / l[j * k + j];
    }
  }
  return l;
}

/** The GPTQ reference route: U = chol(H⁻¹) upper, with H⁻¹ from H's own Cholesky factor. */
function straightforwardU(h: Float64Array, k: number): Float64Array {
  const l = plainCholesky(h, k);
  const li = new Float64Array(k * k); // L⁻¹, lower, column by column
  for (let c = 0; c < k; c++) {
    li[c * k + c] = 1 / l[c * k + c];
    for (let i = c + 1; i < k; i++) {
      let s = 0;
      for (let p = c; p < i; p++) s += l[i * k + p] * li[p * k + c];
      li[i * k + c] = -s / l[i * k + i];
    }
  }
  const inv = new Float64Array(k * k); // (L⁻¹)ᵀ L⁻¹
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let p = Math.max(i, j); p < k; p++) inv[i * k + j] += li[p * k + i] * li[p * k + j];
  const lo = plainCholesky(inv, k);
  const u = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) u[i * k + j] = lo[j * k + i];
  return u;
}

/** H = Xᵀ X / n over n rows of k inputs, then GPTQ's dampening (1 % of the mean diagonal). */
function hessian(k: number, n: number, seed: number, collinear = false): Float64Array {
  const r = lcg(seed);
  const x = Array.from({ length: n * k }, r);
  // collinear: every third input a copy of the one before (rank k·2/3 before dampening)
  if (collinear) for (let s = 0; s < n; s++) for (let j = 2; j < k; j += 3) x[s * k + j] = x[s * k + j - 1];
  const h = new Float64Array(k * k);
  for (let s = 0; s < n; s++) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) h[i * k + j] += (x[s * k + i] * x[s * k + j]) / n;
  let mean = 0;
  for (let i = 0; i < k; i++) mean += h[i * k + i] / k;
  for (let i = 0; i < k; i++) h[i * k + i] += 0.01 * mean;
  return h;
}

const reversed = (h: Float64Array, k: number, into: Float64Array) => {
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) into[i * k + j] = h[(k - 1 - i) * k + (k - 1 - j)];
  return into;
};

/** max |a − b| / max |b| */
function relativeGap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let gap = 0;
  let size = 0;
  for (let i = 0; i < b.length; i++) {
    gap = Math.max(gap, Math.abs(a[i] - b[i]));
    size = Math.max(size, Math.abs(b[i]));
  }
  return gap / size;
}

describe('the factor U = chol(H⁻¹) equals the straightforward three-pass route', () => {
  it('runs its products in WebAssembly on the work matrix reference.ts gets (not the JS fallback)', () => {
    expect(wasmKernelOf(factorWork(40))).toBeDefined();
    expect(wasmKernelOf(new Float64Array(1600))).toBeUndefined();
  });

  // 97 and 130: over several 32-row tiles, the last one partial (odd: rows paired with themselves, 4 × 2 groups cut short)
  // near-singular: fewer samples than inputs, or collinear inputs, made definite by the dampening alone
  const cases = [
    { name: 'random SPD', k: 97, n: 300, collinear: false },
    { name: 'random SPD', k: 130, n: 400, collinear: false },
    { name: 'near-singular, dampened (n < k)', k: 130, n: 20, collinear: false },
    { name: 'near-singular, dampened (collinear inputs)', k: 97, n: 300, collinear: true },
  ];
  it.each(cases)('$name, K = $k: within 1e-10 relative, on WebAssembly and on JS', ({ k, n, collinear }) => {
    const h = hessian(k, n, k + n, collinear);
    const want = straightforwardU(h, k);
    const got = inverseCholeskyUpper(h, k)!;
    expect(relativeGap(got, want)).toBeLessThan(1e-10);
    for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) expect(got[i * k + j]).toBe(0);
    // as reference.ts calls it: f32 of U, on factorWork's matrix (WebAssembly) and on a plain one (JS loops)
    const wasm = reversedInverseCholeskyF32(reversed(h, k, factorWork(k)), k)!;
    const js = reversedInverseCholeskyF32(reversed(h, k, new Float64Array(k * k)), k)!;
    const wantF32 = Float32Array.from(want);
    for (const u of [wasm, js]) expect(relativeGap(u, wantF32)).toBeLessThan(2 ** -23); // f32 rounding of equal f64
    expect(relativeGap(wasm, js)).toBeLessThan(2 ** -23);
  });

  it('says undefined for a matrix that is not positive definite, on both kernels', () => {
    const k = 70;
    const h = hessian(k, 200, 3);
    h[40 * k + 40] = -1;
    expect(inverseCholeskyUpper(h, k)).toBeUndefined();
    expect(reversedInverseCholeskyF32(reversed(h, k, factorWork(k)), k)).toBeUndefined();
    expect(reversedInverseCholeskyF32(reversed(h, k, new Float64Array(k * k)), k)).toBeUndefined();
  });
});
