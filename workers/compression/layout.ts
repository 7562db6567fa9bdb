/**
 * Index math for a linear weight stored as [rows, cols] in either layout. Everything else sees
 * the weight as (out, in): element (o, i) sits at flat offset o * strideOut + i * strideIn.
 * The GPU kernels get the same numbers as uniforms, so no transposed copy is ever made.
 */
import { labError } from '../errors';
import type { LinearDims, WeightLayout, WeightTensor } from './types';

export interface LinearView extends LinearDims {
  /** flat offset step between output channels */
  strideOut: number;
  /** flat offset step along the input dimension */
  strideIn: number;
}

export function linearView(shape: readonly [number, number], layout: WeightLayout): LinearView {
  const [rows, cols] = shape;
  return layout === 'out_in'
    ? { outDim: rows, inDim: cols, strideOut: cols, strideIn: 1 } // (out, in)
    : { outDim: cols, inDim: rows, strideOut: 1, strideIn: cols }; // (in, out)
}

/**
 * Throws 'BadOption' unless the tensor is a finite [rows, cols] Float32Array with a known layout;
 * `finite: false` leaves the values' scan to a kernel that counts them (registry.ts).
 */
export function validateTensor(t: WeightTensor, { finite = true } = {}): void {
  const what = t.name ? `tensor ${t.name}` : 'tensor';
  if (!(t.data instanceof Float32Array)) throw labError('BadOption', `${what}: expected a Float32Array`);
  if (t.layout !== 'in_out' && t.layout !== 'out_in') {
    throw labError('BadOption', `${what}: layout must be 'in_out' or 'out_in', got ${String(t.layout)}`);
  }
  const [rows, cols] = t.shape;
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows > 0 && cols > 0)) {
    throw labError('BadOption', `${what}: shape must be two positive integers, got [${t.shape.join(', ')}]`);
  }
  if (t.data.length !== rows * cols) {
    throw labError('BadOption', `${what}: shape [${rows}, ${cols}] needs ${rows * cols} values, got ${t.data.length}`);
  }
  if (!finite) return;
  for (let f = 0; f < t.data.length; f++) {
    if (!Number.isFinite(t.data[f])) throw labError('BadOption', `${what}: value ${t.data[f]} at flat index ${f} is not finite`);
  }
}
