/**
 * magnitude-prune on WebGPU, in one submit. The k-th smallest |w| key T is found 4 bits at a time
 * (select-state.wgsl): per digit, a count pass (pivot-count.wgsl: keys below 15 pivots, per
 * thread) and a one-workgroup select pass (pivot-select.wgsl). tie-count.wgsl and tie-cut.wgsl
 * then find the flat index where pruning keys equal to T stops, and apply-mask.wgsl zeroes
 * weights in place and writes the mask. The passes hand T and the cut to each other in a small
 * state buffer, so nothing comes back to the CPU until the result.
 */
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import type { CompressionParts, WeightTensor } from '../types';
import APPLY_WGSL from './apply-mask.wgsl?raw';
import COUNT_WGSL from './pivot-count.wgsl?raw';
import SELECT_WGSL from './pivot-select.wgsl?raw';
import STATE_WGSL from './select-state.wgsl?raw';
import TIE_COUNT_WGSL from './tie-count.wgsl?raw';
import TIE_CUT_WGSL from './tie-cut.wgsl?raw';
import { pruneCount, type MagnitudePruneOptions } from './meta';

/** Must match select-state.wgsl (DIGITS, COUNT_*) and apply-mask.wgsl. */
const DIGITS = 8;
const COUNT_WORKGROUP_SIZE = 64;
const COUNT_PER_THREAD = 1024;
const PIVOT_SLOTS = 16;
const APPLY_WORKGROUP_SIZE = 64;
const APPLY_ELEMENTS_PER_THREAD = 16;
/** SelectState: digit, low, below, k, cut_end (u32 each). */
const STATE_WORDS = 5;

function pipeline(device: GPUDevice, name: string, wgsl: string): GPUComputePipeline {
  return pipelineFor(device, `prune-${name}`, `${STATE_WGSL}\n${wgsl}`);
}

export async function magnitudePruneGpu(device: GPUDevice, tensor: WeightTensor, options: MagnitudePruneOptions): Promise<CompressionParts> {
  const n = tensor.data.length;
  const k = pruneCount(options.ratio, n);
  // whole workgroups: a workgroup's threads share its span, element by element
  const countGroups = Math.ceil(n / (COUNT_PER_THREAD * COUNT_WORKGROUP_SIZE));
  const threads = countGroups * COUNT_WORKGROUP_SIZE;
  const run = new KernelRun(device, 'magnitude-prune');
  try {
    const weights = await run.upload('weights', tensor.data);
    const state = run.storage('select state', STATE_WORDS * 4);
    // k = 0 prunes nothing: the state stays at T = 0, cut 0, which match no key
    const initial = new Uint32Array(STATE_WORDS);
    initial[3] = k;
    device.queue.writeBuffer(state, 0, initial);
    const sizes = run.uniform('prune sizes', [n, threads]);
    if (k > 0) {
      const partials = run.storage('pivot counts', threads * PIVOT_SLOTS * 4);
      const ties = run.storage('tie counts', threads * 4);
      for (let digit = 0; digit < DIGITS; digit++) {
        run.dispatch(pipeline(device, 'pivot-count', COUNT_WGSL), [sizes, weights, state, partials], countGroups);
        run.dispatch(pipeline(device, 'pivot-select', SELECT_WGSL), [sizes, partials, state], 1);
      }
      run.dispatch(pipeline(device, 'tie-count', TIE_COUNT_WGSL), [sizes, weights, state, ties], countGroups);
      run.dispatch(pipeline(device, 'tie-cut', TIE_CUT_WGSL), [sizes, weights, state, ties], 1);
    }
    const mask = run.storage('mask', n);
    const applyThreads = Math.ceil(n / APPLY_ELEMENTS_PER_THREAD);
    run.dispatch(pipeline(device, 'apply-mask', APPLY_WGSL), [sizes, weights, state, mask], Math.ceil(applyThreads / APPLY_WORKGROUP_SIZE));
    return await finishMasked(run, weights, mask, n);
  } finally {
    run.close();
  }
}

/** Submit a pruning run and read back its pruned weights and keep-mask bytes (every pruning kernel ends so). */
export async function finishMasked(run: KernelRun, weights: GPUBuffer, mask: GPUBuffer, n: number): Promise<CompressionParts> {
  const [deq, maskBytes] = await run.finish([
    { buffer: weights, bytes: n * 4 },
    { buffer: mask, bytes: n },
  ]);
  return { dequantized: new Float32Array(deq), mask: new Uint8Array(maskBytes) };
}
