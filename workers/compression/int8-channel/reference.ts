/**
 * Reference INT8 per-channel quantizer (the truth the WGSL is held to): rtn's 8-bit symmetric
 * grid over the whole row (rtn/reference.ts): scale_o from max|w|, signed codes in [-127, 127].
 */
import { rtnReference } from '../rtn/reference';
import type { CompressionParts, WeightTensor } from '../types';

export function int8ChannelReference(tensor: WeightTensor): CompressionParts {
  return rtnReference(tensor, { bits: 8, groupSize: 0, symmetric: true });
}
