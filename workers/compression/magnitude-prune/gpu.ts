/**
 * magnitude-prune on WebGPU. The k-th smallest |w| key T is found by bracketing (bracket.ts): a
 * pass counts the keys below and inside a sampled range (bracket.wgsl), a second gathers the few
 * inside (the same kernel), and the CPU ranks those for T and the tie cut; two small
 * read-backs, two reads of the weights. When the bracket does not fit, the digit passes find T
 * 4 bits at a time (select-state.wgsl): per digit, a count pass (pivot-count.wgsl: keys below 15
 * pivots, per thread) and a one-workgroup select pass (pivot-select.wgsl); tie-count.wgsl and
 * tie-cut.wgsl then find the flat index where pruning keys equal to T stops. apply-mask.wgsl
 * zeroes weights in place and writes the mask. T and the cut reach it in a small state buffer.
 * A tensor over one storage binding is uploaded in chunks of whole spans: the per-element passes
 * run once per chunk, the counts, the threshold and the cut stay the whole tensor's, so the
 * result is the unsplit one.
 */
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import { channelChunking } from '../shared/channel-chunks';
import type { CompressionParts, WeightTensor } from '../types';
import APPLY_WGSL from './apply-mask.wgsl?raw';
import BRACKET_WGSL from './bracket.wgsl?raw';
import { bracketCap, rankInBracket, sampleBracket } from './bracket';
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
/** Elements a count workgroup covers (select-state.wgsl SPAN); chunks are whole spans. */
const SPAN = COUNT_PER_THREAD * COUNT_WORKGROUP_SIZE;
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
  const countGroups = Math.ceil(n / SPAN);
  const threads = countGroups * COUNT_WORKGROUP_SIZE;
  // over one storage binding: chunks of whole spans, one buffer each (shared/channel-chunks.ts has the limit and its test hook)
  const limit = channelChunking.maxBindingBytes || Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const spansPerChunk = n * 4 <= limit ? countGroups : Math.max(1, Math.floor(limit / 4 / SPAN));
  const chunks = Array.from({ length: Math.ceil(countGroups / spansPerChunk) }, (_, c) => {
    const spanBase = c * spansPerChunk;
    return { spanBase, spans: Math.min(spansPerChunk, countGroups - spanBase), from: spanBase * SPAN, to: Math.min(n, (spanBase + spansPerChunk) * SPAN) };
  });
  if (chunks.length > 1) channelChunking.chunks = chunks.length;
  const run = new KernelRun(device, 'magnitude-prune');
  try {
    const parts = [];
    for (const [c, ch] of chunks.entries()) {
      const weights = await run.upload(`weights ${c}`, tensor.data.subarray(ch.from, ch.to));
      parts.push({ ...ch, weights, sizes: run.uniform('prune sizes', [ch.to - ch.from, threads, ch.spanBase, n]) });
    }
    const state = run.storage('select state', STATE_WORDS * 4);
    // k = 0 prunes nothing: the state stays at T = 0, cut 0, which match no key
    const initial = new Uint32Array(STATE_WORDS);
    initial[3] = k;
    device.queue.writeBuffer(state, 0, initial);
    if (k > 0 && !(await bracketSelect(run, parts, state, tensor.data, k, threads))) {
      const partials = run.storage('pivot counts', threads * PIVOT_SLOTS * 4);
      const ties = run.storage('tie counts', threads * 4);
      for (let digit = 0; digit < DIGITS; digit++) {
        for (const p of parts) run.dispatch(pipeline(device, 'pivot-count', COUNT_WGSL), [p.sizes, p.weights, state, partials], p.spans);
        run.dispatch(pipeline(device, 'pivot-select', SELECT_WGSL), [parts[0].sizes, partials, state], 1);
      }
      for (const p of parts) run.dispatch(pipeline(device, 'tie-count', TIE_COUNT_WGSL), [p.sizes, p.weights, state, ties], p.spans);
      // each chunk's run finds the same span; the one holding it writes the cut
      for (const p of parts) run.dispatch(pipeline(device, 'tie-cut', TIE_CUT_WGSL), [p.sizes, p.weights, state, ties], 1);
    }
    const masked = parts.map((p, c) => {
      const mask = run.storage(`mask ${c}`, p.to - p.from);
      const applyThreads = Math.ceil((p.to - p.from) / APPLY_ELEMENTS_PER_THREAD);
      run.dispatch(pipeline(device, 'apply-mask', APPLY_WGSL), [p.sizes, p.weights, state, mask], Math.ceil(applyThreads / APPLY_WORKGROUP_SIZE));
      return { ...p, mask };
    });
    return await finishMaskedChunks(run, masked, n);
  } finally {
    run.close();
  }
}

interface Part {
  sizes: GPUBuffer;
  weights: GPUBuffer;
  spans: number;
}

/** T and the cut by bracketing, written into `state`; false (nothing written) when the bracket misses or holds too many keys. */
async function bracketSelect(run: KernelRun, parts: readonly Part[], state: GPUBuffer, data: Float32Array, k: number, threads: number): Promise<boolean> {
  const { device } = run;
  const bracket = sampleBracket(data, k);
  const bracketPipeline = pipeline(device, 'bracket', BRACKET_WGSL);
  const counts = run.storage('bracket counts', threads * 8);
  // mode 0 reads no offsets: any small buffer fills the binding
  const none = run.storage('bracket no offsets', 4);
  const countMode = run.uniform('prune bracket', [bracket.lo, bracket.hi, 0]);
  for (const p of parts) run.dispatch(bracketPipeline, [p.sizes, p.weights, countMode, none, counts], p.spans);
  const c = new Uint32Array((await run.flush([{ buffer: counts, bytes: threads * 8 }]))[0]);
  const offsets = new Uint32Array(threads);
  let below = 0;
  let inside = 0;
  for (let t = 0; t < threads; t++) {
    below += c[2 * t];
    offsets[t] = inside;
    inside += c[2 * t + 1];
  }
  if (!(below < k && k <= below + inside && inside <= bracketCap(data.length))) return false;
  const offsetsBuffer = run.storage('bracket offsets', threads * 4);
  device.queue.writeBuffer(offsetsBuffer, 0, offsets);
  // a power of two, so that the pool keeps a few sizes, not one a tensor
  const found = run.storage('bracket keys', 8 * 2 ** Math.ceil(Math.log2(inside)));
  const gatherMode = run.uniform('prune bracket', [bracket.lo, bracket.hi, 1]);
  for (const p of parts) run.dispatch(bracketPipeline, [p.sizes, p.weights, gatherMode, offsetsBuffer, found], p.spans);
  const pairs = new Uint32Array((await run.flush([{ buffer: found, bytes: inside * 8 }]))[0]);
  const { threshold, cutEnd } = rankInBracket(pairs, below, k);
  // SelectState: digit (done), low = T, below, k, cut_end
  device.queue.writeBuffer(state, 0, Uint32Array.from([DIGITS, threshold, 0, k, cutEnd]));
  return true;
}

/** The same for a tensor in chunks (elements [from, to) each): one readback, put back in place. */
export async function finishMaskedChunks(run: KernelRun, parts: readonly { from: number; to: number; weights: GPUBuffer; mask: GPUBuffer }[], n: number): Promise<CompressionParts> {
  if (parts.length === 1) return finishMasked(run, parts[0].weights, parts[0].mask, n);
  const read = await run.finish(parts.flatMap((p) => [{ buffer: p.weights, bytes: (p.to - p.from) * 4 }, { buffer: p.mask, bytes: p.to - p.from }]));
  const dequantized = new Float32Array(n);
  const mask = new Uint8Array(n);
  parts.forEach((p, c) => {
    dequantized.set(new Float32Array(read[2 * c]), p.from);
    mask.set(new Uint8Array(read[2 * c + 1]), p.from);
  });
  return { dequantized, mask };
}

/** Submit a pruning run and read back its pruned weights and keep-mask bytes (every pruning kernel ends so). */
export async function finishMasked(run: KernelRun, weights: GPUBuffer, mask: GPUBuffer, n: number): Promise<CompressionParts> {
  const [deq, maskBytes] = await run.finish([
    { buffer: weights, bytes: n * 4 },
    { buffer: mask, bytes: n },
  ]);
  return { dequantized: new Float32Array(deq), mask: new Uint8Array(maskBytes) };
}
