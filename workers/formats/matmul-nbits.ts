/**
 * MatMulNBits (com.microsoft): the block-quantized weight form onnxruntime runs as it is, on the
 * WASM EP (MLAS) and the native WebGPU EP. A weight seen as (out = N, in = K) is cut into blocks of
 * `blockSize` consecutive weights along K; each block has one f32 scale and one zero point.
 *
 *   B            uint8 (N, blocks, blockSize * bits / 8)  codes, low bits first: for bits = 4 the
 *                                                        byte j of a block holds k = 2j (low nibble)
 *                                                        and k = 2j + 1 (high nibble); a short last
 *                                                        block is padded with its zero point
 *   scales       f32   (N, blocks)
 *   zero_points  uint8 (N, ceil(blocks * bits / 8))      packed like the codes, row by row
 *   y = A · dequant(B)ᵀ,  dequant = (q − zp) · scale   (f32, the same product our kernels compute)
 *
 * So bytes = N·blocks·(blockSize·bits/8 + 4) + N·ceil(blocks·bits/8).
 */
import type { LinearView } from '../compression/layout';

export const NBITS_BLOCK_SIZES = Object.freeze([16, 32, 64, 128, 256] as const);

export interface NBitsWeight {
  bits: 2 | 4 | 8;
  blockSize: number;
  /** K: the input dimension */
  k: number;
  /** N: the output dimension */
  n: number;
  blocks: number;
  /** (N, blocks, blockSize * bits / 8) */
  b: Uint8Array;
  /** (N, blocks) */
  scales: Float32Array;
  /** (N, ceil(blocks * bits / 8)) */
  zeroPoints: Uint8Array;
}

export interface NBitsSource {
  /** one unsigned code per weight, in the tensor's stored order (see view) */
  codes: Uint8Array;
  /** (N, blocks) */
  scales: Float32Array;
  /** (N, blocks), unpacked */
  zeroPoints: Uint8Array;
}

/** Byte size of a packed weight, B + scales + zero points. */
export function nbitsBytes(bits: number, blockSize: number, n: number, k: number): number {
  const blocks = Math.ceil(k / blockSize);
  return n * blocks * ((blockSize * bits) / 8 + 4) + n * Math.ceil((blocks * bits) / 8);
}

export function packNBits(src: NBitsSource, view: LinearView, bits: 2 | 4 | 8, blockSize: number): NBitsWeight {
  const { outDim: n, inDim: k, strideOut, strideIn } = view;
  if (!(NBITS_BLOCK_SIZES as readonly number[]).includes(blockSize)) {
    throw new Error(`MatMulNBits block size must be one of ${NBITS_BLOCK_SIZES.join(', ')}, got ${blockSize}`);
  }
  const blocks = Math.ceil(k / blockSize);
  if (src.scales.length !== n * blocks || src.zeroPoints.length !== n * blocks) {
    throw new Error(`expected ${n}×${blocks} scales and zero points, got ${src.scales.length} and ${src.zeroPoints.length}`);
  }
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const blob = blockSize / perByte;
  const b = new Uint8Array(n * blocks * blob);
  const put = (o: number, g: number, j: number, q: number) => {
    if (q > mask) throw new Error(`code ${q} at (${o}, ${g * blockSize + j}) does not fit in ${bits} bits`);
    b[(o * blocks + g) * blob + Math.floor(j / perByte)] |= q << ((j % perByte) * bits);
  };
  if (strideOut === 1 && n > 1 && bits === 4 && k % blockSize === 0) {
    // the common case (MatMul weights, 4 bits, whole blocks): two stored rows (inputs i, i + 1, every
    // channel) make one byte per channel; checked once per row pair, not per code (bench "compression")
    const stride = blocks * blob;
    for (let i = 0; i < k; i += 2) {
      const lo = src.codes.subarray(i * strideIn, i * strideIn + n);
      const hi = src.codes.subarray((i + 1) * strideIn, (i + 1) * strideIn + n);
      const at = Math.floor(i / blockSize) * blob + (i % blockSize) / 2;
      let any = 0;
      for (let o = 0, d = at; o < n; o++, d += stride) {
        const a = lo[o];
        const c = hi[o];
        any |= a | c;
        b[d] = a | (c << 4);
      }
      if (any > mask) {
        const o = lo.findIndex((q, x) => q > mask || hi[x] > mask);
        const [q, at2] = lo[o] > mask ? [lo[o], i] : [hi[o], i + 1];
        throw new Error(`code ${q} at (${o}, ${at2}) does not fit in ${bits} bits`);
      }
    }
  } else if (strideOut === 1 && n > 1) {
    // (in, out) storage: read the codes a stored row (one input index, every channel) at a time
    for (let i = 0; i < blocks * blockSize; i++) {
      const g = Math.floor(i / blockSize);
      const j = i % blockSize;
      for (let o = 0; o < n; o++) put(o, g, j, i < k ? src.codes[o + i * strideIn] : src.zeroPoints[o * blocks + g]);
    }
  } else {
    for (let o = 0; o < n; o++) {
      for (let g = 0; g < blocks; g++) {
        for (let j = 0; j < blockSize; j++) {
          const i = g * blockSize + j;
          put(o, g, j, i < k ? src.codes[o * strideOut + i * strideIn] : src.zeroPoints[o * blocks + g]);
        }
      }
    }
  }
  const zpRow = Math.ceil(blocks / perByte);
  const zeroPoints = new Uint8Array(n * zpRow);
  for (let o = 0; o < n; o++) {
    for (let g = 0; g < blocks; g++) {
      zeroPoints[o * zpRow + Math.floor(g / perByte)] |= src.zeroPoints[o * blocks + g] << ((g % perByte) * bits);
    }
  }
  return { bits, blockSize, k, n, blocks, b, scales: src.scales, zeroPoints };
}

/** The f32 weight a packed one stands for, as (N, K) row-major — for checks, not for evaluation. */
export function unpackNBits(w: NBitsWeight): Float32Array {
  const perByte = 8 / w.bits;
  const mask = (1 << w.bits) - 1;
  const blob = w.blockSize / perByte;
  const zpRow = Math.ceil(w.blocks / perByte);
  const out = new Float32Array(w.n * w.k);
  for (let o = 0; o < w.n; o++) {
    for (let i = 0; i < w.k; i++) {
      const g = Math.floor(i / w.blockSize);
      const j = i % w.blockSize;
      const q = (w.b[(o * w.blocks + g) * blob + Math.floor(j / perByte)] >> ((j % perByte) * w.bits)) & mask;
      const zp = (w.zeroPoints[o * zpRow + Math.floor(g / perByte)] >> ((g % perByte) * w.bits)) & mask;
      out[o * w.k + i] = Math.fround((q - zp) * w.scales[o * w.blocks + g]);
    }
  }
  return out;
}
