/**
 * Types shared by every compression method: the tensor that goes in, the result that comes out,
 * and the metadata each method folder exports. A linear weight is stored as [rows, cols]; its
 * `layout` says which axis is the output channel (see layout.ts for the index math).
 */
import type { KernelDevice, MethodId, MethodOptions, TensorStats } from '../api';
import type { CalibrationNeed, CalibrationStats } from '../calibration/types';
import type { ErrorSums } from './stats';

/** 'in_out': MatMul B stored (in, out), output channel = column; 'out_in': Gemm transB=1, (out, in). */
export type WeightLayout = 'in_out' | 'out_in';

export interface WeightTensor {
  /** initializer name, copied into the stats */
  name?: string;
  /** row-major values, rows * cols long */
  data: Float32Array;
  /** stored shape [rows, cols] */
  shape: readonly [number, number];
  layout: WeightLayout;
  /** statistics of this weight's inputs on a calibration text; required by calibrated methods (GPTQ, Wanda) */
  calibration?: CalibrationStats;
  /** what a method's pass over all tensors (MethodImpl.plan) handed this one, e.g. global-prune's threshold */
  plan?: unknown;
  /** the second method of prune → quantize: the first's mask (0 = pruned), for a method whose error feedback must keep it (GPTQ: gptq/masked.ts) */
  mask?: Uint8Array;
}

/** What a method computes; every array is flat and in the input's stored (row-major) order unless said. */
export interface CompressionParts {
  /**
   * same shape and layout as the input: exactly what the packed form computes. The affine WGSL
   * methods (int8-channel, int4-group, rtn) read back only codes, scales and zero points: theirs is
   * computed from those on first read (withLazyDequantized), since a packed make seldom needs it.
   */
  dequantized: Float32Array;
  /** the error sums against the input, when the kernel took them while it quantized: the stats need no pass of their own (stats.ts) */
  sums?: ErrorSums;
  /**
   * int8-channel: signed codes in [-127, 127]; int4-group: unpacked 4-bit codes in [0, 15] (one per
   * byte); fp16: the half bit patterns, ready to be written as a float16 initializer
   */
  codes?: Int8Array | Uint8Array | Uint16Array;
  /** int8-channel: (out); int4-group: (out, nGroups), row-major like MatMulNBits scales */
  scales?: Float32Array;
  /** int4-group: (out, nGroups), unpacked, values in [0, 15] */
  zeroPoints?: Uint8Array;
  /** magnitude-prune: 1 = kept, 0 = pruned, same order as the input */
  mask?: Uint8Array;
  /** calibrated methods (GPTQ, AWQ, SparseGPT; Wanda its diagonal estimate, wanda/reference.ts wandaLoss): the layer's calibration loss, copied into the stats */
  loss?: number;
  /** AWQ: the per-input-channel scale s; codes/scales/zeroPoints quantize W · diag(s), so the packed form divides its input by s */
  inputScale?: Float32Array;
  /** fp16: how many weights had |w| > 65504 and were clamped to ±65504 */
  clamped?: number;
  /** where the kernel's time went, ms (GPTQ: factor, loop), copied into the stats */
  phaseMs?: Record<string, number>;
}

export interface CompressionResult extends CompressionParts {
  method: MethodId;
  /** the options after validation and defaults */
  options: MethodOptions;
  device: KernelDevice;
  stats: TensorStats;
  /** wall time of the kernel (upload, dispatches, readback on webgpu), milliseconds */
  kernelMs: number;
}

/** A linear weight seen as (out, in), whatever its stored layout. */
export interface LinearDims {
  outDim: number;
  inDim: number;
}

/** One option a method takes, as the UI offers it: the picker and presets are built from these. */
export interface OptionField {
  key: keyof MethodOptions & string;
  label: string;
  /** the values offered, the default among them */
  choices: readonly (number | string | boolean)[];
  /** how a value reads in the picker, e.g. 0.5 → "50 %" (default: String) */
  format?: (value: number | string | boolean) => string;
}

export interface MethodMeta<O extends MethodOptions = MethodOptions> {
  id: MethodId;
  label: string;
  /** one sentence for the UI */
  description: string;
  /** the options a person picks, in picker order (empty: none) */
  fields: readonly OptionField[];
  /** the short name of a variant made with these (resolved) options, for charts and tables: "INT4 g32", "prune 50%" */
  variantLabel(options: O): string;
  defaults: Readonly<O>;
  /** validate and fill defaults; throws a 'BadOption' error naming the valid choices */
  resolveOptions(options: MethodOptions): O;
  /** bits per weight of the packed export, scales and zero points included */
  bitsPerWeight(options: O, dims: LinearDims): number;
  /** calibrated methods: the statistic of the layer inputs they need (the engine calibrates first) */
  calibration?: CalibrationNeed;
}

export interface MethodImpl<O extends MethodOptions = MethodOptions> {
  meta: MethodMeta<O>;
  /** plain TS loops: the truth */
  reference(tensor: WeightTensor, options: O): CompressionParts;
  /** WGSL on WebGPU; must equal the reference (codes and masks byte for byte) */
  gpu(device: GPUDevice, tensor: WeightTensor, options: O): Promise<CompressionParts>;
  /**
   * Its WebGPU path counts the inputs that are NaN or ±Infinity (sums.nonFinite) while it reads
   * them (its WGSL; fp16 in the host's pass over the halves it takes the stats' sums in), so the
   * host's own scan is left out on WebGPU (a pass over every weight: ~0.15 s of the 124 M INT4
   * make) and run only when the count is not 0, to name the first.
   */
  gpuCountsNonFinite?: true;
  /**
   * Methods that decide across the whole model (global-prune): one pass over every linear weight,
   * in the variant's order, before the per-tensor step; returns each tensor's `plan`.
   */
  plan?(tensors: readonly Float32Array[] | { count: number; read(i: number): Float32Array }, options: O): unknown[];
}

const lazy = new WeakMap<object, number>();

/**
 * `parts` with `dequantized` computed by `compute` the first time it is read (then kept), as an own
 * enumerable property, so a spread or a structured clone still carries the values. `length`:
 * how many there will be, known without computing them (dequantizedLength).
 */
export function withLazyDequantized<P extends Omit<CompressionParts, 'dequantized'>>(parts: P, length: number, compute: () => Float32Array): P & CompressionParts {
  let values: Float32Array | undefined;
  Object.defineProperty(parts, 'dequantized', {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!values) {
        values = compute();
        lazy.delete(parts);
      }
      return values;
    },
    set: (v: Float32Array) => {
      values = v;
      lazy.delete(parts);
    },
  });
  lazy.set(parts, length);
  return parts as P & CompressionParts;
}

/** True while `parts.dequantized` is still to be computed (reading it computes it). */
export function dequantizedPending(parts: CompressionParts): boolean {
  return lazy.has(parts);
}

/** How many dequantized values `parts` holds or will hold, without computing them. */
export function dequantizedLength(parts: CompressionParts): number {
  return lazy.get(parts) ?? parts.dequantized.length;
}
