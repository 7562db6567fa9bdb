/**
 * Reference INT4 group quantizer (the truth the WGSL is held to): rtn's 4-bit asymmetric grid
 * (rtn/reference.ts) with int4-group's group sizes, which include 16.
 */
import { rtnReference } from '../rtn/reference';
import type { RtnOptions } from '../rtn/meta';
import type { CompressionParts, WeightTensor } from '../types';
import type { Int4GroupOptions } from './meta';

export function int4GroupReference(tensor: WeightTensor, options: Int4GroupOptions): CompressionParts {
  return rtnReference(tensor, { bits: 4, groupSize: options.groupSize as RtnOptions['groupSize'], symmetric: false });
}
