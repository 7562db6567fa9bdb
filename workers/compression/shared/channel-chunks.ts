/**
 * A weight larger than one storage binding (the adapter's maxStorageBufferBindingSize: GPT-2's
 * 50257 × 768 f32 embedding is 147 MiB, and many adapters bind at most 128 MiB) runs through a
 * method's kernel in chunks of whole output channels, each chunk a tensor of its own: the rows of
 * an (out, in) weight, a block of columns of an (in, out) one. The methods split this way compute
 * every output channel from that channel alone (and per-input statistics, which every chunk
 * shares), so the chunks give exactly the unsplit result: the outputs are put back in place,
 * per-channel arrays (scales, zero points) in channel order, counts summed.
 *
 * magnitude-prune and global-prune (one threshold and a tie cut in flat-index order over the whole
 * tensor) split themselves, in spans of the flat index (magnitude-prune/gpu.ts). SparseGPT's rows
 * are independent given the Hessian's factor, which each chunk computes again (the same floats);
 * its loss is the chunks' losses added, equal to the unsplit one up to the order of a double sum.
 * Not split: the TS-only methods (GPTQ's and AWQ's loops, structured pruning's zeroing).
 */
import type { MethodId, MethodOptions } from '../../api';
import { linearView } from '../layout';
import { dequantizedPending, withLazyDequantized, type CompressionParts, type WeightTensor } from '../types';
import type { ErrorSums } from '../stats';

/**
 * Test hook (e2e/harness/kernels.ts): a binding limit in bytes below the device's (0 = the device's),
 * so small tensors are split; `chunks` is how many the last split call ran.
 */
export const channelChunking = { maxBindingBytes: 0, chunks: 0 };

const NF4_BLOCK = 64;
const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

/**
 * Output channels a chunk must be a multiple of (undefined: the method cannot be split). nf4's
 * blocks run over the (out, in) order, so a chunk starts on a block boundary.
 */
export function channelUnit(method: MethodId, inDim: number): number | undefined {
  switch (method) {
    case 'fp16': case 'int8-channel': case 'int4-group': case 'rtn': case 'nm-prune': case 'wanda': case 'sparsegpt':
      return 1;
    case 'nf4':
      return NF4_BLOCK / gcd(inDim, NF4_BLOCK);
    default:
      return undefined;
  }
}

type Gpu = (device: GPUDevice, tensor: WeightTensor, options: MethodOptions) => Promise<CompressionParts>;

/** Runs `gpu` on the whole tensor when it fits one binding, else on chunks of output channels. */
export async function gpuInChannelChunks(method: MethodId, gpu: Gpu, device: GPUDevice, tensor: WeightTensor, options: MethodOptions): Promise<CompressionParts> {
  const limit = channelChunking.maxBindingBytes || Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const view = linearView(tensor.shape, tensor.layout);
  const unit = channelUnit(method, view.inDim);
  if (tensor.data.byteLength <= limit || unit === undefined) return gpu(device, tensor, options);
  const per = Math.max(unit, Math.floor(limit / (4 * view.inDim) / unit) * unit);
  const parts: CompressionParts[] = [];
  const starts: number[] = [];
  for (let o0 = 0; o0 < view.outDim; o0 += per) {
    starts.push(o0);
    parts.push(await gpu(device, slice(tensor, o0, Math.min(view.outDim, o0 + per)), options));
  }
  channelChunking.chunks = parts.length;
  return join(tensor, starts, parts);
}

/** Output channels [o0, o1) as a tensor of the same layout (a view for (out, in), a copy of columns for (in, out)). */
function slice(t: WeightTensor, o0: number, o1: number): WeightTensor {
  const [rows, cols] = t.shape;
  if (t.layout === 'out_in') return { ...t, data: t.data.subarray(o0 * cols, o1 * cols), shape: [o1 - o0, cols] };
  const w = o1 - o0;
  const data = new Float32Array(rows * w);
  for (let r = 0; r < rows; r++) data.set(t.data.subarray(r * cols + o0, r * cols + o1), r * w);
  return { ...t, data, shape: [rows, w] };
}

type Elementwise = Float32Array | Int8Array | Uint8Array | Uint16Array;

/** The chunks' outputs put back in the whole tensor's order. */
function join(t: WeightTensor, starts: number[], parts: CompressionParts[]): CompressionParts {
  const [rows, cols] = t.shape;
  const place = <A extends Elementwise>(pick: (p: CompressionParts) => A | undefined): A | undefined => {
    const first = pick(parts[0]);
    if (!first) return undefined;
    const out = new (first.constructor as new (n: number) => A)(rows * cols);
    parts.forEach((p, k) => {
      const a = pick(p)!;
      if (t.layout === 'out_in') out.set(a, starts[k] * cols);
      else {
        const w = a.length / rows;
        for (let r = 0; r < rows; r++) out.set(a.subarray(r * w, (r + 1) * w) as never, r * cols + starts[k]);
      }
    });
    return out;
  };
  const concat = <A extends Float32Array | Uint8Array>(pick: (p: CompressionParts) => A | undefined): A | undefined => {
    const first = pick(parts[0]);
    if (!first) return undefined;
    const out = new (first.constructor as new (n: number) => A)(parts.reduce((a, p) => a + pick(p)!.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(pick(p)!, at);
      at += pick(p)!.length;
    }
    return out;
  };
  const sum = (pick: (p: CompressionParts) => number | undefined) => (pick(parts[0]) === undefined ? undefined : parts.reduce((a, p) => a + pick(p)!, 0));
  const more = {
    codes: place((p) => p.codes), mask: place((p) => p.mask),
    scales: concat((p) => p.scales), zeroPoints: concat((p) => p.zeroPoints),
    clamped: sum((p) => p.clamped), loss: sum((p) => p.loss),
    sums: parts.every((p) => p.sums) ? addSums(parts.map((p) => p.sums!)) : undefined,
  };
  // only the parts the method gives (the harness compares which parts each side returned)
  const out: Partial<CompressionParts> = {};
  for (const [k, v] of Object.entries(more)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  // a chunk's dequantized values may be still to make (types.ts withLazyDequantized): the whole one too
  if (!parts.some(dequantizedPending)) return { ...out, dequantized: place((p) => p.dequantized)! };
  return withLazyDequantized(out, rows * cols, () => place((p) => p.dequantized)!);
}

/** The chunks' error sums as one tensor's (stats.ts). */
function addSums(all: ErrorSums[]): ErrorSums {
  const counted = all.every((s) => s.nonFinite !== undefined);
  return all.reduce((a, s) => ({
    signal: a.signal + s.signal, noise: a.noise + s.noise, zeros: a.zeros + s.zeros, maxAbs: Math.max(a.maxAbs, s.maxAbs),
    ...(counted ? { nonFinite: a.nonFinite! + s.nonFinite! } : {}),
  }));
}
