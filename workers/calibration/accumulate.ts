/**
 * The TS reference of the calibration accumulators (hessian.wgsl, col-norms-texture.wgsl hold to it):
 * one batch X (rows, cols) row-major is added into the running statistics, in f32, in exactly the
 * order the GPU threads use, so the two agree bit for bit where the GPU rounds each + and * (WGSL
 * guarantees correctly rounded f32 + and *; the checks allow 1e-6 relative).
 *   H[i, j] = fround(H[i, j] + fround(X[r, i] · X[r, j]))   for r = 0 … rows-1 in order
 *   n[j]    = fround(n[j]    + fround(X[r, j] · X[r, j]))
 *   a[j]    = fround(a[j]    + |X[r, j]|)
 */
const f = Math.fround;

/** H (cols, cols) += Xᵀ X. H stays symmetric: x_ri·x_rj and x_rj·x_ri are the same product, so only j >= i is summed. */
export function accumulateHessian(h: Float32Array, x: Float32Array, rows: number, cols: number): void {
  if (h.length !== cols * cols || x.length !== rows * cols) throw new Error(`hessian: expected H of ${cols}² and X of ${rows}×${cols}, got ${h.length} and ${x.length}`);
  const xt = transpose(x, rows, cols); // (cols, rows): the inner loop reads contiguous columns
  for (let i = 0; i < cols; i++) {
    const a = i * rows;
    let j = i;
    // four elements of H's row at once (each still summed alone, in row order): a quarter of the reads of column i
    for (; j + 3 < cols; j += 4) {
      const b0 = j * rows;
      const b1 = b0 + rows;
      const b2 = b1 + rows;
      const b3 = b2 + rows;
      let s0 = h[i * cols + j];
      let s1 = h[i * cols + j + 1];
      let s2 = h[i * cols + j + 2];
      let s3 = h[i * cols + j + 3];
      for (let r = 0; r < rows; r++) {
        const xi = xt[a + r];
        s0 = f(s0 + f(xi * xt[b0 + r]));
        s1 = f(s1 + f(xi * xt[b1 + r]));
        s2 = f(s2 + f(xi * xt[b2 + r]));
        s3 = f(s3 + f(xi * xt[b3 + r]));
      }
      h[i * cols + j] = h[j * cols + i] = s0;
      h[i * cols + j + 1] = h[(j + 1) * cols + i] = s1;
      h[i * cols + j + 2] = h[(j + 2) * cols + i] = s2;
      h[i * cols + j + 3] = h[(j + 3) * cols + i] = s3;
    }
    for (; j < cols; j++) {
      const b = j * rows;
      let acc = h[i * cols + j];
      for (let r = 0; r < rows; r++) acc = f(acc + f(xt[a + r] * xt[b + r]));
      h[i * cols + j] = acc;
      h[j * cols + i] = acc;
    }
  }
}

function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) t[j * rows + r] = x[r * cols + j];
  return t;
}

/** n (cols) += column-wise Σ X². */
export function accumulateColNorms(n: Float32Array, x: Float32Array, rows: number, cols: number): void {
  if (n.length !== cols || x.length !== rows * cols) throw new Error(`column norms: expected n of ${cols} and X of ${rows}×${cols}, got ${n.length} and ${x.length}`);
  for (let j = 0; j < cols; j++) {
    let acc = n[j];
    for (let r = 0; r < rows; r++) acc = f(acc + f(x[r * cols + j] * x[r * cols + j]));
    n[j] = acc;
  }
}

/** a (cols) += column-wise Σ |X| (col-abs-sums.wgsl holds to it). */
export function accumulateColAbsSums(a: Float32Array, x: Float32Array, rows: number, cols: number): void {
  if (a.length !== cols || x.length !== rows * cols) throw new Error(`column |x| sums: expected a of ${cols} and X of ${rows}×${cols}, got ${a.length} and ${x.length}`);
  for (let j = 0; j < cols; j++) {
    let acc = a[j];
    for (let r = 0; r < rows; r++) acc = f(acc + Math.abs(x[r * cols + j]));
    a[j] = acc;
  }
}
