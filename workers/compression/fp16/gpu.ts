/**
 * fp16 on WebGPU: one pass of fp16-round.wgsl (integer bit math, no shader-f16 needed) makes the
 * halves; only they come back (2 bytes a weight), and the f32 value of each half, which the
 * result also holds, is looked up on the CPU in a 65,536-entry table. Reading the f32 values back instead would triple the bytes that cross from the
 * GPU, and on SwiftShader a readback costs more than the lookups.
 */
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import type { CompressionParts, WeightTensor } from '../types';
import { HALF_MAX_BITS } from './meta';
import { F32_HALF_MAX, halfToF32Bits } from './reference';
import ROUND_WGSL from './fp16-round.wgsl?raw';

/** Must match WORKGROUP_SIZE in fp16-round.wgsl. */
const WORKGROUP_SIZE = 128;

/**
 * Debug hook (e2e/harness/kernel-speed.ts ?debug=1): when `on`, each call records where its time
 * went (ms); with `split` it also submits the upload and the dispatch alone and waits for each,
 * which costs time of its own.
 */
export const fp16Timing: { on: boolean; split: boolean; phases: Record<string, number>[] } = { on: false, split: false, phases: [] };

let halfTable: Uint32Array | undefined;
/** The f32 bits of every half, by its bit pattern (256 KiB, made once). */
function f32OfHalf(): Uint32Array {
  if (!halfTable) {
    halfTable = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfToF32Bits(h);
  }
  return halfTable;
}

export async function fp16Gpu(device: GPUDevice, tensor: WeightTensor): Promise<CompressionParts> {
  const n = tensor.data.length;
  const run = new KernelRun(device, 'fp16');
  const t: Record<string, number> = {};
  let last = performance.now();
  const mark = async (phase: string, submit = false) => {
    if (!fp16Timing.on) return;
    if (submit) {
      if (!fp16Timing.split) return;
      device.queue.submit([run.encoder.finish()]);
      run.encoder = device.createCommandEncoder({ label: 'fp16' });
      await device.queue.onSubmittedWorkDone();
    }
    const now = performance.now();
    t[phase] = now - last;
    last = now;
  };
  try {
    // 8 weights a thread (fp16-round.wgsl), padded with zeros to whole threads
    const threads = Math.ceil(n / 8);
    const weights = await run.upload('weights', tensor.data, threads * 32);
    await mark('upload_cpu');
    await mark('upload_gpu', true);
    const codes = run.storage('half codes', threads * 16);
    const uniform = run.uniform('fp16 params', [threads]);
    run.dispatch(pipelineFor(device, 'fp16-round', ROUND_WGSL), [uniform, weights, codes], Math.ceil(threads / WORKGROUP_SIZE));
    await mark('dispatch', true);
    const [codeBytes] = await run.finish([{ buffer: codes, bytes: n * 2 }]);
    await mark('readback');
    const out = f32Values(new Uint16Array(codeBytes), tensor.data);
    await mark('cpu_unpack');
    if (fp16Timing.on) fp16Timing.phases.push(t);
    return out;
  } finally {
    run.close();
  }
}

/**
 * The f32 value of every half (exact: every half is an f32), and how many weights were clamped:
 * those whose half is ±65504 and whose weight is above it (65504 itself, or a weight that
 * rounds down to it, is not clamped), as fp16Reference counts them.
 */
function f32Values(codes: Uint16Array, weights: Float32Array): CompressionParts {
  const table = f32OfHalf();
  const n = codes.length;
  const dequantized = new Float32Array(n);
  const bits = new Uint32Array(dequantized.buffer);
  const weightBits = new Uint32Array(weights.buffer, weights.byteOffset, n);
  let clamped = 0;
  for (let k = 0; k < n; k++) {
    const c = codes[k];
    bits[k] = table[c];
    if ((c & 0x7fff) === HALF_MAX_BITS && (weightBits[k] & 0x7fffffff) > F32_HALF_MAX) clamped++;
  }
  return { codes, dequantized, clamped };
}
