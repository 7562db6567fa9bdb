/**
 * The dense linear algebra GPTQ needs, in f64 on (K, K) row-major matrices: the upper Cholesky
 * factor U of H⁻¹ (Uᵀ U = H⁻¹), the matrix whose rows carry a column's quantization error to the
 * columns after it.
 */

/** Lower Cholesky factor L of a symmetric positive definite A (L Lᵀ = A), or undefined if A is not. */
export function choleskyLower(a: Float64Array, k: number): Float64Array | undefined {
  const l = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    let d = a[j * k + j];
    for (let p = 0; p < j; p++) d -= l[j * k + p] * l[j * k + p];
    if (!(d > 0)) return undefined;
    const ljj = Math.sqrt(d);
    l[j * k + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let s = a[i * k + j];
      for (let p = 0; p < j; p++) s -= l[i * k + p] * l[j * k + p];
      l[i * k + j] = s / ljj;
    }
  }
  return l;
}

/**
 * (L⁻¹)ᵀ of a lower-triangular L, by forward substitution one column c of L⁻¹ at a time, stored as
 * row c of the result so that every inner loop reads memory in order (k = 1024 is 8 MB a matrix).
 */
function invertLowerTransposed(l: Float64Array, k: number): Float64Array {
  const t = new Float64Array(k * k); // t[c * k + i] = (L⁻¹)[i, c], zero for i < c
  for (let c = 0; c < k; c++) {
    const col = c * k;
    t[col + c] = 1 / l[c * k + c];
    for (let i = c + 1; i < k; i++) {
      let s = 0;
      const row = i * k;
      for (let p = c; p < i; p++) s += l[row + p] * t[col + p];
      t[col + i] = -s / l[row + i];
    }
  }
  return t;
}

/**
 * U, upper, with Uᵀ U = A⁻¹, from ONE Cholesky factorization: with P the order reversal and
 * P A P = L Lᵀ, A⁻¹ = P L⁻ᵀ L⁻¹ P, so U = P L⁻¹ P (L⁻¹ is lower, reversed it is upper, and its
 * diagonal is positive: it is THE Cholesky factor). Half the work of inverting A and factoring
 * the inverse again, as the GPTQ reference code does. Undefined if A is not positive definite.
 */
export function inverseCholeskyUpper(a: Float64Array, k: number): Float64Array | undefined {
  const rev = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) rev[i * k + j] = a[(k - 1 - i) * k + (k - 1 - j)];
  const l = choleskyLower(rev, k);
  if (!l) return undefined;
  const t = invertLowerTransposed(l, k); // t[c * k + i] = (L⁻¹)[i, c]
  const u = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) u[i * k + j] = t[(k - 1 - j) * k + (k - 1 - i)];
  return u;
}
