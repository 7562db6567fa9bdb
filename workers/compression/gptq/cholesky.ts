/**
 * The dense linear algebra GPTQ needs, in f64 on (K, K) row-major matrices: the upper Cholesky
 * factor U of H⁻¹ (Uᵀ U = H⁻¹), the matrix whose rows carry a column's quantization error to the
 * columns after it. Computed as in the GPTQ reference: L = chol(H), H⁻¹ = L⁻ᵀ L⁻¹, U = chol(H⁻¹)ᵀ.
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

/** H⁻¹ = L⁻ᵀ L⁻¹ from the Cholesky factor of H: (H⁻¹)[i, j] = Σ_p (L⁻¹)[p, i] (L⁻¹)[p, j], rows p ≥ max(i, j). */
export function inverseFromCholesky(l: Float64Array, k: number): Float64Array {
  const t = invertLowerTransposed(l, k);
  const out = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      let s = 0;
      for (let p = j; p < k; p++) s += t[i * k + p] * t[j * k + p];
      out[i * k + j] = s;
      out[j * k + i] = s;
    }
  }
  return out;
}

/** Upper U with Uᵀ U = A (the transpose of A's lower factor), or undefined if A is not positive definite. */
export function choleskyUpper(a: Float64Array, k: number): Float64Array | undefined {
  const l = choleskyLower(a, k);
  if (!l) return undefined;
  const u = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) u[j * k + i] = l[i * k + j];
  return u;
}
